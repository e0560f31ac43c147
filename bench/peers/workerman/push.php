<?php
// The seed: the Workerman push server of the article that Herald is compatible with (see
// ../../../README.md#migrating-from-the-seed-workerman), as a benchmark peer for herald-bench. The
// code between the "seed" markers is the article's, with its mangled `-` put back to `->` and its
// comments translated; only these changed:
//
//   - the ports come from PUSH_WS_PORT and PUSH_TEXT_PORT (the seed's 1234 and 5678 by default);
//   - Workerman is loaded from WORKERMAN_DIR (the seed's './Workerman' by default);
//   - the Text port listens on 127.0.0.1 instead of the seed's 0.0.0.0: the load tool only connects
//     over loopback (which either address serves the same way), and on a machine that others use a
//     benchmark peer should not let the network push to its clients. Herald and bench/peers/node-ws
//     bind it to 127.0.0.1 too.
//
// Around the seed, and not changing what it does: the soft open-files limit is raised to the hard
// limit before Workerman forks its worker (one descriptor per connection; the worker inherits the
// limit), WORKERMAN_PID_FILE and WORKERMAN_LOG_FILE place Workerman's master pid file and its log
// (which is also the daemon's stdout), and once the Text port listens the worker logs one line with
// its pid and the event loop it really runs (start.sh waits for it).
//
//   PUSH_WS_PORT=1234 PUSH_TEXT_PORT=5678 WORKERMAN_DIR=/path/to/workerman \
//       php -d extension=/path/to/event.so push.php start -d
//
// Without the `event` extension Workerman falls back to select(), which cannot watch more than 1024
// descriptors; start.sh loads it and refuses to report success without it.

use Workerman\Worker;

require_once rtrim(getenv('WORKERMAN_DIR') ?: './Workerman', '/') . '/Autoloader.php';

$ws_port = bench_port('PUSH_WS_PORT', 1234);
$text_port = bench_port('PUSH_TEXT_PORT', 5678);
if (getenv('WORKERMAN_PID_FILE')) {
    Worker::$pidFile = getenv('WORKERMAN_PID_FILE');
}
if (getenv('WORKERMAN_LOG_FILE')) {
    Worker::$logFile = getenv('WORKERMAN_LOG_FILE');
    Worker::$stdoutFile = getenv('WORKERMAN_LOG_FILE');
}
bench_raise_open_files();

// ---- seed ----

// A worker container listening on the WebSocket port
$worker = new Worker("websocket://0.0.0.0:$ws_port");

// The number of processes must be 1 here
$worker->count = 1;

// Once the worker process has started, open an internal port
$worker->onWorkerStart = function($worker)
{
    global $text_port;
    // An internal port for internal systems to push data; Text protocol: text + newline
    $inner_text_worker = new Worker("Text://127.0.0.1:$text_port");
    $inner_text_worker->onMessage = function($connection, $buffer)
    {
        global $worker;
        // $data is an array with a uid: the uid whose page the data is pushed to
        $data = json_decode($buffer, true);
        $uid = $data['uid'];
        // Push the data to the page of uid through workerman
        $ret = sendMessageByUid($uid, $buffer);
        // Answer with the result of the push
        $connection->send($ret ? 'ok' : 'fail');
    };
    $inner_text_worker->listen();
    bench_ready();
};

// A new property that maps uid to connection
$worker->uidConnections = array();

// Called when a client sends a message
$worker->onMessage = function($connection, $data)use($worker)
{
    // Has the client been verified, i.e. has it a uid?
    if(!isset($connection->uid))
    {
        // If not, take the first message as the uid (no real verification, for the demonstration)
        $connection->uid = $data;
        /* Keep the uid-to-connection mapping, so that a connection can be found by its uid
         * to push data to a given uid
         */
        $worker->uidConnections[$connection->uid] = $connection;
        return;
    }
};

// When a client connection closes
$worker->onClose = function($connection)use($worker)
{
    global $worker;
    if(isset($connection->uid))
    {
        // Remove the mapping when the connection closes
        unset($worker->uidConnections[$connection->uid]);
    }
};

// Push data to every verified user
function broadcast($message)
{
    global $worker;
    foreach($worker->uidConnections as $connection)
    {
        $connection->send($message);
    }
}

// Push data to one uid
function sendMessageByUid($uid, $message)
{
    global $worker;
    if(isset($worker->uidConnections[$uid]))
    {
        $connection = $worker->uidConnections[$uid];
        $connection->send($message);
        return true;
    }
    return false;
}

// Run all workers (only one is defined here)
Worker::runAll();

// ---- end of the seed ----

/** The port in environment variable $name, or $default. */
function bench_port($name, $default)
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        return $default;
    }
    if (!ctype_digit($value) || (int)$value < 1 || (int)$value > 65535) {
        fwrite(STDERR, "push.php: $name must be a port number (1-65535), not '$value'\n");
        exit(2);
    }
    return (int)$value;
}

/** Raises the soft limit on open files to the hard limit (the worker, forked later, inherits it). */
function bench_raise_open_files()
{
    $limits = posix_getrlimit();
    $soft = $limits['soft openfiles'];
    $hard = $limits['hard openfiles'];
    if ($soft !== 'unlimited' && ($hard === 'unlimited' || (int)$soft < (int)$hard)) {
        $target = $hard === 'unlimited' ? 1048576 : (int)$hard;
        if (!posix_setrlimit(POSIX_RLIMIT_NOFILE, $target, $hard === 'unlimited' ? -1 : $target)) {
            fwrite(STDERR, "push.php: cannot raise the open-files limit from $soft to $hard\n");
        }
    }
}

/** Logs, from the worker, that both ports listen: its pid, PHP, Workerman and the event loop it runs. */
function bench_ready()
{
    global $ws_port, $text_port;
    $loop = Worker::$globalEvent;
    $backend = '';
    if ($loop instanceof \Workerman\Events\Event) {
        // The libevent backend of the loop's own EventBase (epoll on Linux), and libevent's version.
        $method = (function () { return $this->_eventBase->getMethod(); })->call($loop);
        $v = \EventUtil::LIBEVENT_VERSION_NUMBER;
        $backend = sprintf(' (pecl-event %s, libevent %d.%d.%d, %s)', phpversion('event'),
            $v >> 24, ($v >> 16) & 0xff, ($v >> 8) & 0xff, $method);
    }
    $limits = posix_getrlimit();
    Worker::log(sprintf('bench-peer ready: worker pid %d, PHP %s, Workerman %s, event loop %s%s, '
        . 'websocket 0.0.0.0:%d, text 127.0.0.1:%d, open files %s',
        posix_getpid(), PHP_VERSION, Worker::VERSION, get_class($loop), $backend,
        $ws_port, $text_port, $limits['soft openfiles']));
}
