#!/usr/bin/env bash
# Herald's HTTP API from bash and curl: POST /api/<verb> with the JSON parameters as the body.
#
#   bash examples/curl.sh
#
# Environment: HERALD_HTTP_ADDRESS (default 127.0.0.1:5679), HERALD_API_KEY (only if the server
# sets http.api-keys).
set -euo pipefail

http="${HERALD_HTTP_ADDRESS:-127.0.0.1:5679}"
auth=()
if [ -n "${HERALD_API_KEY:-}" ]; then
    auth=(-H "Authorization: Bearer $HERALD_API_KEY")
fi

# api VERB JSON: prints the request, then the HTTP status and the reply. Fails only when the
# server cannot be reached; a refused command is a reply like any other.
api() {
    echo "http> POST /api/$1 $2"
    local reply
    reply=$(curl -sS --max-time 10 -X POST "http://$http/api/$1" \
        -H 'Content-Type: application/json' "${auth[@]}" \
        --data-binary "$2" -w ' %{http_code}')
    # curl appends the status after the body: print it first
    echo "    < ${reply##* } ${reply% *}"
}

# Push to a uid: every open connection of alice gets {"text":"hello from curl"}.
api push '{"uid":"alice","data":{"text":"hello from curl"}}'
# Who is online?
api online '{"uids":["alice","bob"]}'
# Groups: join, push to the group, count it.
api join '{"group":"room:42","uids":["alice","bob"]}'
api push '{"group":"room:42","data":"room news from curl"}'
api count '{"group":"room:42"}'
# Carol is offline: the message waits up to an hour for her next herald.v1 connection, a retry of the
# same id is not delivered twice, and the receipt says where it stands.
api push '{"uid":"carol","data":"while you were away","ttl":3600,"id":"welcome-carol","receipt":true}'
api receipt '{"id":"welcome-carol"}'
# A refused command: no data. The error names the field (HTTP 400).
api push '{"uid":"alice"}'
