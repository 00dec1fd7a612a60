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
//   request  {id, netlink: {netns?, nsfd?, messages: [{hex, nsfdAt?}]}}
//            rtnetlink requests sent by the launcher itself on a socket made in `netns` (a path;
//            default its own); `nsfd` is opened and its fd written at each message's nsfdAt
//   reply    {id, code: 0, replies: [[hex, ...] per message]} or {id, errno, error, index}
//   request  {id, newNetns: path}: a new network namespace bound at path (as `ip netns add`)
// The system call numbers (mount, umount2, setns, unshare) of this machine come as the script's
// arguments; without them those requests fail with ENOSYS and the client uses the binaries.
// The first line written is {"ready": true, "pid": N, "json": "JSON::XS" or "JSON::PP"}. The
// launcher exits when its stdin closes; the processes it started keep running (detached ones are
// in their own session).

export const LAUNCHER_SCRIPT = String.raw`
use strict;
use warnings;
use POSIX ();
use Fcntl qw(F_GETFL F_SETFL F_GETFD F_SETFD O_NONBLOCK O_WRONLY O_APPEND O_CREAT O_RDONLY);
use Encode ();
use Time::HiRes qw(time);

$0 = 'kijabi-launcher';
$SIG{PIPE} = 'IGNORE';
my $child_exited = 0;
# Self-pipe: SIGCHLD also makes select() return at once, even when it lands just before select
# (a flag alone would leave select waiting for its timeout, delaying every helper's answer).
pipe(my $wake_r, my $wake_w) or die "kijabi-launcher: pipe: $!";
$SIG{CHLD} = sub { $child_exited = 1; syswrite($wake_w, 'x'); };
# JSON::XS (Debian's libjson-xs-perl) when installed: the core JSON::PP took ~250 us per
# request, most of the launcher's own CPU per pod; JSON::XS takes ~3 us.
my $json = eval { require JSON::XS; JSON::XS->new->utf8 } || do { require JSON::PP; JSON::PP->new->utf8 };
my %jobs;       # pid => job
my %readers;    # fileno => [job, stream name, handle]
my %writers;    # fileno => job
my $requests = '';
my ($SYS_MOUNT, $SYS_UMOUNT2, $SYS_SETNS, $SYS_UNSHARE) = @ARGV;
use constant CLONE_NEWNET => 0x40000000;
use constant { AF_NETLINK => 16, SOCK_RAW => 3, NETLINK_ROUTE => 0, MS_BIND => 4096, MS_REC => 16384, MS_SHARED => 1048576 };
# The namespace to come back to after making a socket in (or creating) another one.
my $home_netns;
open($home_netns, '<', '/proc/self/ns/net') or undef $home_netns;

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
  $message->{timedOut} = \1 if $job->{timedOut};
  $message->{truncated} = \1 if $job->{truncated};
  reply($message);
}

sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $job = $jobs{$pid} or next;
    $job->{status} = $?;
    close_writer($job);
  }
}

# A request refused with errno, saying what failed.
sub refuse {
  my ($req, $errno, $what, %extra) = @_;
  local $! = $errno;
  reply({ id => $req->{id}, errno => $errno + 0, error => "$what: $!", %extra });
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
  return reply({ id => $req->{id}, code => 0 }) if $ok;
  refuse($req, $! + 0, $what);
}


sub enter_netns {
  my ($path) = @_;
  open(my $ns, '<', $path) or return 0;
  my $ok = syscall($SYS_SETNS + 0, fileno($ns) + 0, CLONE_NEWNET) == 0;
  close $ns;
  return $ok;
}

# Staying in another namespace would put every later helper there: better to stop.
sub go_home {
  syscall($SYS_SETNS + 0, fileno($home_netns) + 0, CLONE_NEWNET) == 0 or die "kijabi-launcher: cannot return to its network namespace: $!\n";
}

# rtnetlink without an ip process: a socket belongs to the namespace it was made in, so the
# launcher enters the namespace only for socket() and comes straight back.
sub do_netlink_request {
  my ($req) = @_;
  my $spec = $req->{netlink};
  return refuse($req, POSIX::ENOSYS(), 'netlink') unless $SYS_SETNS && $home_netns;
  my $sock;
  if (defined $spec->{netns}) {
    enter_netns($spec->{netns}) or return refuse($req, $! + 0, "setns $spec->{netns}");
    my $ok = socket($sock, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    my $errno = $! + 0;
    go_home();
    $ok or return refuse($req, $errno, 'netlink socket');
  } else {
    socket($sock, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) or return refuse($req, $! + 0, 'netlink socket');
  }
  my $nsfd;
  if (defined $spec->{nsfd}) { open($nsfd, '<', $spec->{nsfd}) or return refuse($req, $! + 0, "open $spec->{nsfd}"); }
  my $kernel = pack('S x2 L L', AF_NETLINK, 0, 0);
  my @replies;
  my $index = 0;
  for my $m (@{ $spec->{messages} }) {
    my $msg = pack('H*', $m->{hex});
    substr($msg, $m->{nsfdAt}, 4) = pack('L', fileno $nsfd) if defined $m->{nsfdAt} && $nsfd;
    substr($msg, 8, 4) = pack('L', $index + 1);  # sequence number
    defined send($sock, $msg, 0, $kernel) or return refuse($req, $! + 0, "netlink message $index", index => $index);
    my (@got, $errno);
    # Every message asks for an acknowledgement: replies (for a get) come first, then NLMSG_ERROR.
    READ: while (1) {
      defined recv($sock, my $buf, 65536, 0) or return refuse($req, $! + 0, "netlink reply $index", index => $index);
      my $off = 0;
      while ($off + 16 <= length $buf) {
        my ($len, $type) = unpack('L S', substr($buf, $off, 6));
        last if $len < 16;
        if ($type == 2) { $errno = -unpack('l', substr($buf, $off + 16, 4)); last READ; }
        last READ if $type == 3;
        push @got, unpack('H*', substr($buf, $off, $len));
        $off += ($len + 3) & ~3;
      }
    }
    return refuse($req, $errno, "netlink message $index", index => $index) if $errno;
    push @replies, \@got;
    $index++;
  }
  close $sock;
  reply({ id => $req->{id}, code => 0, replies => \@replies });
}

# As ip does once: the namespaces' dir is a shared mount (a bind of itself if it was none), so
# the namespaces bound in it show in mount namespaces made later.
my %netns_dirs;
sub prepare_netns_dir {
  my ($dir) = @_;
  return 1 if $netns_dirs{$dir};
  mkdir $dir, 0755;
  # syscall() may write to its string arguments: copies, never literals.
  my ($empty, $none) = ('', 'none');
  my $ok = syscall($SYS_MOUNT + 0, $empty, "$dir", $none, MS_SHARED | MS_REC, 0) == 0;
  if (!$ok && $!{EINVAL}) {
    syscall($SYS_MOUNT + 0, "$dir", "$dir", $none, MS_BIND | MS_REC, 0) == 0 or return 0;
    $ok = syscall($SYS_MOUNT + 0, $empty, "$dir", $none, MS_SHARED | MS_REC, 0) == 0;
  }
  $netns_dirs{$dir} = 1 if $ok;
  return $ok;
}

# ip netns add: a new namespace, kept alive by a bind mount of it at the path.
sub do_new_netns {
  my ($req) = @_;
  my $path = $req->{newNetns};
  return refuse($req, POSIX::ENOSYS(), "create $path") unless $SYS_UNSHARE && $SYS_MOUNT && $SYS_SETNS && $home_netns;
  my ($dir) = $path =~ m{^(.*)/[^/]+$};
  prepare_netns_dir($dir) or return refuse($req, $! + 0, "mount $dir");
  sysopen(my $file, $path, O_RDONLY | O_CREAT | POSIX::O_EXCL(), 0444) or return refuse($req, $! + 0, "create $path");
  close $file;
  if (syscall($SYS_UNSHARE + 0, CLONE_NEWNET) != 0) { my $errno = $! + 0; unlink $path; return refuse($req, $errno, 'unshare'); }
  my ($self_ns, $none) = ('/proc/self/ns/net', 'none');
  my $ok = syscall($SYS_MOUNT + 0, $self_ns, "$path", $none, MS_BIND, 0) == 0;
  my $errno = $! + 0;
  go_home();
  if (!$ok) { unlink $path; return refuse($req, $errno, "bind $path"); }
  reply({ id => $req->{id}, code => 0 });
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
    if ($req->{netlink}) { do_netlink_request($req); next; }
    if (defined $req->{newNetns}) { do_new_netns($req); next; }
    start_job($req);
  }
  return 1;
}

nonblocking($wake_r);
nonblocking($wake_w);
reply({ ready => \1, pid => $$, json => ref $json });
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
