// The launcher itself: a small Perl program (core modules only; perl-base is on every Debian
// system) that forks and execs helper processes on the agent's behalf. Forking from this ~5 MB
// process costs a fraction of forking from the agent's large Node process, and it happens off
// the agent's thread.
//
// Protocol (one JSON object per line, both ways; the client is launcher-client.ts):
//   request  {id, argv, stdin?, timeoutMs?, cwd?, env?, detached?, stdout?, stderr?, syncPipe?, maxOutput?, netns?}
//            netns: path of a network namespace the child enters (setns) before exec
//            stdout/stderr: "pipe" (default), "null" or {"file": path} (appended to)
//            syncPipe: fd 3 of the child is a pipe; the reply waits for a complete {...} message
//            on it (conmon's _OCI_SYNCPIPE) or its end
//   reply    {id, pid?, code, signal, stdout, stderr, sync?, timedOut?, truncated?, errno?, error?}
//            errno/error: the child could not be started (chdir, open, setns or exec failed)
//   request  {id, mount: {source, target, fstype, flags, data}} or {id, umount: {target, flags}}
//            done by the launcher itself with the mount(2)/umount2(2) system calls, no process
//   reply    {id, code: 0} or {id, errno, error}
// The system call numbers (mount, umount2, setns) of this machine come as the script's three
// arguments; without them those requests fail with ENOSYS and the client uses the binaries.
// The first line written is {"ready": true, "pid": N}. The launcher exits when its stdin closes;
// the processes it started keep running (detached ones are in their own session).

export const LAUNCHER_SCRIPT = String.raw`
use strict;
use warnings;
use POSIX ();
use Fcntl qw(F_GETFL F_SETFL F_GETFD F_SETFD O_NONBLOCK O_WRONLY O_APPEND O_CREAT O_RDONLY);
use JSON::PP ();
use Encode ();
use Time::HiRes qw(time);

$0 = 'kijabi-launcher';
$SIG{PIPE} = 'IGNORE';
my $child_exited = 0;
# Self-pipe: SIGCHLD also makes select() return at once, even when it lands just before select
# (a flag alone would leave select waiting for its timeout, delaying every helper's answer).
pipe(my $wake_r, my $wake_w) or die "kijabi-launcher: pipe: $!";
$SIG{CHLD} = sub { $child_exited = 1; syswrite($wake_w, 'x'); };
my $json = JSON::PP->new->utf8;
my %jobs;       # pid => job
my %readers;    # fileno => [job, stream name, handle]
my %writers;    # fileno => job
my $requests = '';
my ($SYS_MOUNT, $SYS_UMOUNT2, $SYS_SETNS) = @ARGV;
use constant CLONE_NEWNET => 0x40000000;

sub reply {
  my ($message) = @_;
  my $line = $json->encode($message) . "\n";
  while (length $line) {
    my $n = syswrite(STDOUT, $line);
    if (!defined $n) { next if $!{EINTR} || $!{EAGAIN}; exit 0; }
    substr($line, 0, $n) = '';
  }
}

sub text { my ($bytes) = @_; return Encode::decode('UTF-8', $bytes // ''); }

sub nonblocking { my ($fh) = @_; my $flags = fcntl($fh, F_GETFL, 0); fcntl($fh, F_SETFL, $flags | O_NONBLOCK); }

sub close_reader {
  my ($fd) = @_;
  my $entry = delete $readers{$fd} or return;
  $entry->[0]{open}--;
  close $entry->[2];
}

sub close_writer {
  my ($job) = @_;
  return unless $job->{in};
  delete $writers{fileno $job->{in}};
  close $job->{in};
  delete $job->{in};
}

sub fail_start {
  my ($req, $errno, $what) = @_;
  local $! = $errno;
  reply({ id => $req->{id}, code => undef, signal => undef, stdout => '', stderr => '', errno => $errno + 0, error => "$what: $!" });
}

sub start_job {
  my ($req) = @_;
  my $argv = $req->{argv};
  if (ref $argv ne 'ARRAY' || !@$argv) { reply({ id => $req->{id}, errno => 22, error => 'argv must be a non-empty list' }); return; }
  my $job = { id => $req->{id}, out => '', err => '', sync => '', open => 0, max => $req->{maxOutput} // 16777216, truncated => 0, syncPipe => $req->{syncPipe} };
  my (%child_end, %parent_end);
  for my $stream (qw(stdout stderr)) {
    my $mode = $req->{$stream} // 'pipe';
    next unless !ref $mode && $mode eq 'pipe';
    pipe(my $r, my $w) or return fail_start($req, $! + 0, 'pipe');
    ($parent_end{$stream}, $child_end{$stream}) = ($r, $w);
  }
  if (defined $req->{stdin}) {
    pipe(my $r, my $w) or return fail_start($req, $! + 0, 'pipe');
    ($child_end{stdin}, $parent_end{stdin}) = ($r, $w);
  }
  if ($req->{syncPipe}) {
    pipe(my $r, my $w) or return fail_start($req, $! + 0, 'pipe');
    ($parent_end{sync}, $child_end{sync}) = ($r, $w);
  }
  pipe(my $status_r, my $status_w) or return fail_start($req, $! + 0, 'pipe');
  my $pid = fork();
  if (!defined $pid) { my $e = $! + 0; return fail_start($req, $e, 'fork'); }
  if ($pid == 0) {
    my ($stage, $errno) = ('exec ' . $argv->[0], 0);
    eval {
      $SIG{PIPE} = 'DEFAULT';
      $SIG{CHLD} = 'DEFAULT';
      POSIX::setsid() if $req->{detached};
      my $fail = sub { $errno = $! + 0; die "$stage\n"; };
      # Moves fd onto target; dup2 clears close-on-exec, and an fd already in place gets it cleared.
      my @keep;  # a handle made for an fd closes it when dropped
      my $place = sub {
        my ($fd, $target, $opened) = @_;
        if ($fd == $target) { open(my $h, '<&=', $fd) or $fail->(); fcntl($h, F_SETFD, 0) or $fail->(); push @keep, $h; return; }
        defined POSIX::dup2($fd, $target) or $fail->();
        POSIX::close($fd) if $opened;
      };
      my $open_file = sub {
        my ($path, $flags) = @_;
        $stage = "open $path";
        my $fd = POSIX::open($path, $flags, 0644);
        defined $fd or $fail->();
        return $fd;
      };
      if (defined $child_end{stdin}) { $place->(fileno $child_end{stdin}, 0, 0); }
      else { $place->($open_file->('/dev/null', O_RDONLY), 0, 1); }
      for my $pair (['stdout', 1], ['stderr', 2]) {
        my ($stream, $target) = @$pair;
        my $mode = $req->{$stream} // 'pipe';
        if (defined $child_end{$stream}) { $place->(fileno $child_end{$stream}, $target, 0); }
        elsif (ref $mode) { $place->($open_file->($mode->{file}, O_WRONLY | O_APPEND | O_CREAT), $target, 1); }
        else { $place->($open_file->('/dev/null', O_WRONLY), $target, 1); }
      }
      $place->(fileno $child_end{sync}, 3, 0) if $child_end{sync};
      if (defined $req->{netns}) {
        $stage = "setns $req->{netns}";
        if (!$SYS_SETNS) { $! = POSIX::ENOSYS(); $fail->(); }
        open(my $ns, '<', $req->{netns}) or $fail->();
        syscall($SYS_SETNS + 0, fileno($ns) + 0, CLONE_NEWNET) == 0 or $fail->();
        close $ns;
      }
      if (defined $req->{cwd}) { $stage = "chdir $req->{cwd}"; chdir $req->{cwd} or $fail->(); }
      if (ref $req->{env} eq 'HASH') { $ENV{$_} = $req->{env}{$_} for keys %{ $req->{env} }; }
      $stage = 'exec ' . $argv->[0];
      exec { $argv->[0] } @$argv or $fail->();
    };
    $errno ||= 5;
    syswrite($status_w, "$errno $stage");
    POSIX::_exit(127);
  }
  close $status_w;
  close $_ for values %child_end;
  # The status pipe closes on a successful exec (close-on-exec) or carries the reason it failed.
  my $status = '';
  while (1) {
    my $n = sysread($status_r, my $chunk, 4096);
    if (!defined $n) { next if $!{EINTR}; last; }
    last if $n == 0;
    $status .= $chunk;
  }
  close $status_r;
  if ($status =~ /^(\d+) (.*)$/s) {
    waitpid($pid, 0);
    close $_ for values %parent_end;
    return fail_start($req, $1, $2);
  }
  $job->{pid} = $pid;
  $job->{deadline} = time() + $req->{timeoutMs} / 1000 if $req->{timeoutMs};
  for my $stream (qw(stdout stderr sync)) {
    my $fh = $parent_end{$stream} or next;
    nonblocking($fh);
    $readers{fileno $fh} = [$job, $stream, $fh];
    $job->{open}++;
  }
  if ($parent_end{stdin}) {
    $job->{in} = $parent_end{stdin};
    $job->{pending} = Encode::encode('UTF-8', $req->{stdin});
    nonblocking($job->{in});
    if (length $job->{pending}) { $writers{fileno $job->{in}} = $job; } else { close_writer($job); }
  }
  $jobs{$pid} = $job;
}

sub finish {
  my ($job) = @_;
  delete $jobs{$job->{pid}};
  my $status = $job->{status};
  my $message = { id => $job->{id}, pid => $job->{pid}, code => undef, signal => undef, stdout => text($job->{out}), stderr => text($job->{err}) };
  if (POSIX::WIFEXITED($status)) { $message->{code} = POSIX::WEXITSTATUS($status); }
  elsif (POSIX::WIFSIGNALED($status)) { $message->{signal} = POSIX::WTERMSIG($status); }
  $message->{sync} = text($job->{sync}) if $job->{syncPipe};
  $message->{timedOut} = JSON::PP::true if $job->{timedOut};
  $message->{truncated} = JSON::PP::true if $job->{truncated};
  reply($message);
}

sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $job = $jobs{$pid} or next;
    $job->{status} = $?;
    close_writer($job);
  }
}

# mount(2) and umount2(2) right here: a mount costs a system call instead of a mount process
# (which also parses the whole mount table). Strings go to syscall() as pointers, numbers as ints.
sub do_mount_request {
  my ($req) = @_;
  my ($ok, $what);
  if (my $m = $req->{mount}) {
    $what = "mount $m->{target}";
    if (!$SYS_MOUNT) { $! = POSIX::ENOSYS(); }
    else { $ok = syscall($SYS_MOUNT + 0, "$m->{source}", "$m->{target}", "$m->{fstype}", ($m->{flags} // 0) + 0, defined $m->{data} ? "$m->{data}" : 0) == 0; }
  } else {
    my $u = $req->{umount};
    $what = "umount $u->{target}";
    if (!$SYS_UMOUNT2) { $! = POSIX::ENOSYS(); }
    else { $ok = syscall($SYS_UMOUNT2 + 0, "$u->{target}", ($u->{flags} // 0) + 0) == 0; }
  }
  if ($ok) { reply({ id => $req->{id}, code => 0 }); return; }
  my $errno = $! + 0;
  reply({ id => $req->{id}, errno => $errno, error => "$what: $!" });
}

sub take_requests {
  my $n = sysread(STDIN, my $chunk, 65536);
  return 1 if !defined $n && ($!{EINTR} || $!{EAGAIN});
  return 0 if !$n;
  $requests .= $chunk;
  while ((my $end = index($requests, "\n")) >= 0) {
    my $line = substr($requests, 0, $end + 1, '');
    next unless $line =~ /\S/;
    my $req = eval { $json->decode($line) };
    if (!$req) { print STDERR "kijabi-launcher: bad request: $@"; next; }
    if ($req->{mount} || $req->{umount}) { do_mount_request($req); next; }
    start_job($req);
  }
  return 1;
}

nonblocking($wake_r);
nonblocking($wake_w);
reply({ ready => JSON::PP::true, pid => $$ });
while (1) {
  my ($rbits, $wbits) = ('', '');
  vec($rbits, 0, 1) = 1;
  vec($rbits, fileno $wake_r, 1) = 1;
  vec($rbits, $_, 1) = 1 for keys %readers;
  vec($wbits, $_, 1) = 1 for keys %writers;
  my $timeout;
  my $now = time();
  for my $job (values %jobs) {
    next if defined $job->{status};
    # SIGCHLD wakes select through the self-pipe; the cap only bounds a lost wake-up.
    my $cap = 0.25;
    $cap = 0 if $child_exited;
    $cap = $job->{deadline} - $now if defined $job->{deadline} && $job->{deadline} - $now < $cap;
    $cap = 0 if $cap < 0;
    $timeout = $cap if !defined $timeout || $cap < $timeout;
  }
  $child_exited = 0;
  my $ready = select(my $rout = $rbits, my $wout = $wbits, undef, $timeout);
  if ($ready > 0) {
    sysread($wake_r, my $drained, 4096) if vec($rout, fileno $wake_r, 1);
    if (vec($rout, 0, 1)) { take_requests() or exit 0; }
    for my $fd (keys %readers) {
      next unless vec($rout, $fd, 1);
      my ($job, $stream, $fh) = @{ $readers{$fd} };
      my $n = sysread($fh, my $chunk, 65536);
      next if !defined $n && ($!{EINTR} || $!{EAGAIN});
      if (!$n) { close_reader($fd); next; }
      my $key = $stream eq 'stdout' ? 'out' : $stream eq 'stderr' ? 'err' : 'sync';
      my $room = $job->{max} - length $job->{$key};
      if ($room < length $chunk) { $chunk = substr($chunk, 0, $room > 0 ? $room : 0); $job->{truncated} = 1; }
      $job->{$key} .= $chunk;
      close_reader($fd) if $key eq 'sync' && $job->{sync} =~ /\{[^{}]*\}/;
    }
    for my $fd (keys %writers) {
      next unless vec($wout, $fd, 1);
      my $job = $writers{$fd};
      my $n = syswrite($job->{in}, $job->{pending});
      if (!defined $n) { close_writer($job) unless $!{EINTR} || $!{EAGAIN}; next; }
      substr($job->{pending}, 0, $n) = '';
      close_writer($job) unless length $job->{pending};
    }
  }
  reap();
  $now = time();
  for my $job (values %jobs) {
    if (defined $job->{deadline} && $now >= $job->{deadline}) {
      if (!defined $job->{status} && !$job->{timedOut}) { kill 'KILL', $job->{pid}; $job->{timedOut} = 1; }
      elsif (defined $job->{status}) {
        # Ended, but something it started still holds the pipes: answer now.
        $job->{timedOut} = 1 if $job->{open};
        for my $fd (keys %readers) { close_reader($fd) if $readers{$fd}[0] == $job; }
      }
    }
    finish($job) if defined $job->{status} && $job->{open} == 0;
  }
}
`;
