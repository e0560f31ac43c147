<?php
// Herald from plain PHP (no extensions beyond the built-in json): commands on the Text port with
// stream_socket_client, then the HTTP API with file_get_contents and a stream context.
//
//   php examples/php/herald.php
//
// Environment: HERALD_TEXT_ADDRESS (default 127.0.0.1:5678), HERALD_HTTP_ADDRESS (default
// 127.0.0.1:5679), HERALD_API_KEY (only if the server sets http.api-keys).

$text = getenv('HERALD_TEXT_ADDRESS') ?: '127.0.0.1:5678';
$http = getenv('HERALD_HTTP_ADDRESS') ?: '127.0.0.1:5679';
$apiKey = getenv('HERALD_API_KEY') ?: null;

// ---- The Text port: one persistent connection; each command is "<verb> <json>\n", each reply one line of JSON.

$socket = @stream_socket_client("tcp://$text", $errno, $errstr, 5);
if ($socket === false) {
    fwrite(STDERR, "cannot connect to the Text port $text: $errstr\n");
    exit(1);
}
stream_set_timeout($socket, 10);

function command($socket, string $verb, array $params): array
{
    $line = $verb . ' ' . json_encode($params, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    echo "text> $line\n";
    fwrite($socket, $line . "\n");
    $reply = fgets($socket);
    if ($reply === false) {
        fwrite(STDERR, "no reply from the Text port\n");
        exit(1);
    }
    echo "    < " . rtrim($reply, "\r\n") . "\n";
    return json_decode($reply, true);
}

// Push to a uid: every open connection of alice gets {"text":"hello from PHP"}.
$pushed = command($socket, 'push', ['uid' => 'alice', 'data' => ['text' => 'hello from PHP']]);
echo "      reached {$pushed['connections']} connection(s)\n";

// Who is online?
$online = command($socket, 'online', ['uids' => ['alice', 'bob']]);
foreach ($online['online'] as $uid => $isOnline) {
    echo "      $uid is " . ($isOnline ? 'online' : 'offline') . "\n";
}
fclose($socket);

// ---- The HTTP API: POST /api/<verb> with the JSON as the body; errors come with their HTTP status.

function api(string $http, ?string $apiKey, string $verb, array $params): array
{
    $body = json_encode($params, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    echo "http> POST /api/$verb $body\n";
    $headers = "Content-Type: application/json\r\n";
    if ($apiKey !== null) {
        $headers .= "Authorization: Bearer $apiKey\r\n";
    }
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'header' => $headers,
        'content' => $body,
        'timeout' => 10,
        'ignore_errors' => true, // read the JSON error of a 4xx too
    ]]);
    $reply = @file_get_contents("http://$http/api/$verb", false, $context);
    if ($reply === false) {
        fwrite(STDERR, "cannot reach the HTTP API at $http\n");
        exit(1);
    }
    // PHP 8.4+ has http_get_last_response_headers(); older versions set $http_response_header
    $headers = function_exists('http_get_last_response_headers') ? http_get_last_response_headers() : $http_response_header;
    preg_match('{HTTP/\S+ (\d+)}', $headers[0], $status);
    echo "    < {$status[1]} $reply\n";
    return json_decode($reply, true);
}

api($http, $apiKey, 'join', ['group' => 'room:42', 'uids' => ['alice', 'bob']]);
api($http, $apiKey, 'push', ['group' => 'room:42', 'data' => 'room news from PHP']);
$count = api($http, $apiKey, 'count', ['group' => 'room:42']);
echo "      room:42 has {$count['members']} member(s), {$count['online']} online\n";

// Carol is offline: the message waits up to an hour for her next herald.v1 connection, a retry of the
// same id is not delivered twice, and the receipt says where it stands.
api($http, $apiKey, 'push', ['uid' => 'carol', 'data' => 'while you were away', 'ttl' => 3600,
    'id' => 'welcome-carol', 'receipt' => true]);
$receipt = api($http, $apiKey, 'receipt', ['id' => 'welcome-carol']);
echo "      carol's copy: {$receipt['uids']['carol']['state']}\n";

// A refused command: no data. The error names the field.
$refused = api($http, $apiKey, 'push', ['uid' => 'alice']);
echo "      refused: {$refused['error']['code']} ({$refused['error']['field']})\n";
