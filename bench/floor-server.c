// floor-server: the least a seed-protocol server can do, as the calibration floor of herald-bench.
//
// A single-threaded epoll server that speaks the seed's protocol and nothing else:
//   - a WebSocket listener: the HTTP upgrade (Sec-WebSocket-Accept from SHA-1 and base64, written out
//     below), then the first data frame of a client (masked) is its uid; the last connection of a uid
//     wins. Pings are answered with pongs, a close frame with a close frame; other frames are skipped.
//   - a Text port: each '\n'-terminated line is JSON whose top-level "uid" (a string, or an integer as
//     PHP's arrays take it) is looked up in a hash table; the line is sent unchanged as one unmasked
//     text frame to that connection and answered "ok\n", else "fail\n". Nothing else in the line is
//     checked.
// Nothing is allocated per message: a message goes from the backend's read buffer to one writev(); a
// connection gets a buffer for unsent bytes only when the kernel does not take a write whole (more than
// 1 MiB unsent closes a client; a backend is then no longer read until its replies drain). Both ports
// listen on 127.0.0.1. herald-bench measures it as any other server:
//
//   cc -O2 -o floor-server bench/floor-server.c && ./floor-server 31234 35678 &
//   bin/herald-bench targeted --server seed --label floor --server-pid $!
//       --ws ws://127.0.0.1:31234/ --text 127.0.0.1:35678
// (bin/herald-bench calibrate compiles it, starts it and runs the everyday loads against it).
//
// Whatever latency the tool reports against it is the tool's own plus the kernel's (and this loop's few
// microseconds): the floor under any figure the tool gives for a real server.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_UID 128               // longest uid, in bytes
#define MAX_HANDSHAKE 8192        // longest upgrade request
#define CLIENT_IN 256             // a client's buffered bytes after the handshake (control frames, the uid)
#define TEXT_IN (64 * 1024)       // a backend's read buffer; grows up to MAX_LINE
#define MAX_LINE (1024 * 1024)    // longest push line
#define MAX_UNSENT (1024 * 1024)  // unsent bytes before a client is closed or a backend is not read
#define REPLIES 65536             // replies gathered before they are written

enum kind { FREE, WS_LISTEN, TEXT_LISTEN, WS, TEXT };

struct conn {
    int kind;
    int open;          // WS: the handshake is done
    int named;         // WS: its first data frame (the uid) arrived
    int bound;         // WS: holds the uid's slot in the table
    int closing;       // WS: close after the unsent bytes are written
    int paused;        // TEXT: not read until its replies drain
    uint64_t skip;     // WS: payload bytes of a skipped frame still to come
    char *in;          // read buffer
    int in_len, in_cap;
    char *out;         // unsent bytes, allocated on the first short write
    size_t out_off, out_len, out_cap;
    int uid_len;
    char uid[MAX_UID];
    char small[CLIENT_IN];
};

static struct conn *conns;
static int max_fd;
static int ep;
static int *table;  // fd of the connection bound to a uid, -1 for an empty slot; open addressing
static unsigned table_mask;

// ---- SHA-1 (FIPS 180-4) and base64, for Sec-WebSocket-Accept ----

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    unsigned char block[64];
    uint64_t bits = (uint64_t)len * 8;
    size_t total = ((len + 8) / 64 + 1) * 64;  // message, 0x80, zeros, 64-bit length
    for (size_t at = 0; at < total; at += 64) {
        for (int i = 0; i < 64; i++) {
            size_t p = at + i;
            block[i] = p < len ? msg[p] : p == len ? 0x80 : 0;
        }
        if (at + 64 == total)
            for (int i = 0; i < 8; i++) block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
        uint32_t w[80];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)block[4 * i] << 24 | block[4 * i + 1] << 16 | block[4 * i + 2] << 8 | block[4 * i + 3];
        for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
            else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
            else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
            else f = b ^ c ^ d, k = 0xCA62C1D6;
            uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d, d = c, c = rol(b, 30), b = a, a = t;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    }
    for (int i = 0; i < 20; i++) out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static void base64(const unsigned char *in, int len, char *out) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int o = 0;
    for (int i = 0; i < len; i += 3) {
        uint32_t v = in[i] << 16 | (i + 1 < len ? in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? abc[v & 63] : '=';
    }
    out[o] = 0;
}

// ---- uid -> connection: linear probing, deletion by backward shift (no tombstones) ----

static unsigned hash(const char *s, int n) {
    unsigned h = 2166136261u;  // FNV-1a
    for (int i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

// The slot holding uid, or the empty slot where it would go.
static unsigned slot_of(const char *uid, int n) {
    unsigned i = hash(uid, n) & table_mask;
    while (table[i] >= 0) {
        struct conn *c = &conns[table[i]];
        if (c->uid_len == n && memcmp(c->uid, uid, n) == 0) break;
        i = (i + 1) & table_mask;
    }
    return i;
}

static int lookup(const char *uid, int n) { return table[slot_of(uid, n)]; }

static void bind_uid(int fd) {
    struct conn *c = &conns[fd];
    unsigned i = slot_of(c->uid, c->uid_len);
    if (table[i] >= 0) conns[table[i]].bound = 0;  // the last connection of a uid wins
    table[i] = fd;
    c->bound = 1;
}

static void unbind_uid(int fd) {
    struct conn *c = &conns[fd];
    if (!c->bound) return;
    c->bound = 0;
    unsigned i = slot_of(c->uid, c->uid_len);
    table[i] = -1;
    for (unsigned j = (i + 1) & table_mask; table[j] >= 0; j = (j + 1) & table_mask) {
        struct conn *o = &conns[table[j]];
        unsigned home = hash(o->uid, o->uid_len) & table_mask;
        // move j back into the hole at i unless its home lies cyclically in (i, j]
        if (((j - home) & table_mask) >= ((j - i) & table_mask)) {
            table[i] = table[j];
            table[j] = -1;
            i = j;
        }
    }
}

// ---- connections ----

static void watch(int fd, int events, int op) {
    struct epoll_event e = {.events = events, .data.fd = fd};
    epoll_ctl(ep, op, fd, &e);
}

static void interest(int fd) {
    struct conn *c = &conns[fd];
    int events = (c->paused ? 0 : EPOLLIN) | (c->out_len > c->out_off ? EPOLLOUT : 0);
    watch(fd, events, EPOLL_CTL_MOD);
}

static void drop(int fd) {
    struct conn *c = &conns[fd];
    unbind_uid(fd);
    if (c->in != c->small) free(c->in);
    free(c->out);
    memset(c, 0, sizeof *c);
    close(fd);
}

// Keeps bytes the kernel did not take; false if the connection must go (too much unsent).
static int keep(int fd, const char *p, size_t n) {
    struct conn *c = &conns[fd];
    size_t unsent = c->out_len - c->out_off;
    if (c->kind == WS && unsent + n > MAX_UNSENT) return 0;  // a backend is paused instead
    if (c->out_off > 0 && c->out_len + n > c->out_cap) {
        memmove(c->out, c->out + c->out_off, unsent);
        c->out_len = unsent, c->out_off = 0;
    }
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n) cap *= 2;
        char *grown = realloc(c->out, cap);
        if (!grown) return 0;
        c->out = grown, c->out_cap = cap;
    }
    int was_empty = unsent == 0;
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    if (was_empty) interest(fd);
    return 1;
}

// Writes iov[0..n) behind what is unsent; false if the connection must go.
static int send_iov(int fd, struct iovec *iov, int n) {
    struct conn *c = &conns[fd];
    size_t want = 0;
    for (int i = 0; i < n; i++) want += iov[i].iov_len;
    ssize_t done = 0;
    if (c->out_len == c->out_off) {
        done = writev(fd, iov, n);
        if (done < 0) {
            if (errno != EAGAIN && errno != EINTR) return 0;
            done = 0;
        }
    }
    for (int i = 0; i < n && (size_t)done < want; i++) {
        if ((size_t)done >= iov[i].iov_len) {
            done -= iov[i].iov_len;
            want -= iov[i].iov_len;
            continue;
        }
        if (!keep(fd, (char *)iov[i].iov_base + done, iov[i].iov_len - done)) return 0;
        want -= iov[i].iov_len;
        done = 0;
    }
    return 1;
}

// One unmasked, final frame.
static int send_frame(int fd, int opcode, const char *payload, size_t len) {
    unsigned char head[10];
    int h = 0;
    head[h++] = 0x80 | opcode;
    if (len < 126) {
        head[h++] = (unsigned char)len;
    } else if (len < 65536) {
        head[h++] = 126, head[h++] = len >> 8, head[h++] = len & 0xFF;
    } else {
        head[h++] = 127;
        for (int i = 7; i >= 0; i--) head[h++] = (unsigned char)(len >> (8 * i));
    }
    struct iovec iov[2] = {{head, h}, {(void *)payload, len}};
    return send_iov(fd, iov, 2);
}

static void flush(int fd) {
    struct conn *c = &conns[fd];
    while (c->out_len > c->out_off) {
        ssize_t w = write(fd, c->out + c->out_off, c->out_len - c->out_off);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            drop(fd);
            return;
        }
        c->out_off += w;
    }
    c->out_off = c->out_len = 0;
    if (c->closing) {
        drop(fd);
        return;
    }
    if (c->kind == TEXT && c->paused) c->paused = 0;
    interest(fd);
}

static void accept_all(int listener, int kind) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN, or out of files: the next event retries
        if (fd >= max_fd) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = &conns[fd];
        memset(c, 0, sizeof *c);
        c->kind = kind;
        c->in_cap = kind == WS ? MAX_HANDSHAKE : TEXT_IN;
        c->in = malloc(c->in_cap);
        if (!c->in) {
            close(fd);
            continue;
        }
        watch(fd, EPOLLIN, EPOLL_CTL_ADD);
    }
}

static int reply_http(int fd, const char *text) {
    struct iovec iov = {(void *)text, strlen(text)};
    return send_iov(fd, &iov, 1);
}

// The upgrade request in c->in; 0 while incomplete, 1 done, -1 to drop the connection.
static int handshake(int fd) {
    struct conn *c = &conns[fd];
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end) return c->in_len >= c->in_cap ? -1 : 0;
    *end = 0;
    const char *key = NULL;
    int key_len = 0;
    for (char *line = strstr(c->in, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "sec-websocket-key:", 18) == 0) {
            key = line + 20;
            while (*key == ' ' || *key == '\t') key++;
            while (key[key_len] && key[key_len] != '\r' && key[key_len] != ' ') key_len++;
            break;
        }
    }
    if (strncmp(c->in, "GET ", 4) != 0 || !key || key_len == 0 || key_len > 64) {
        reply_http(fd, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return -1;
    }
    unsigned char concat[64 + 36], digest[20];
    memcpy(concat, key, key_len);
    memcpy(concat + key_len, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
    sha1(concat, key_len + 36, digest);
    char accept[32], answer[160];
    base64(digest, 20, accept);
    int n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    struct iovec iov = {answer, n};
    if (!send_iov(fd, &iov, 1)) return -1;
    int rest = c->in_len - (int)(end + 4 - c->in);
    if (rest > CLIENT_IN) return -1;
    memcpy(c->small, end + 4, rest);
    free(c->in);
    c->in = c->small, c->in_cap = CLIENT_IN, c->in_len = rest;
    c->open = 1;
    return 1;
}

static int close_with(int fd, int code) {
    unsigned char body[2] = {code >> 8, code & 0xFF};
    send_frame(fd, 0x8, (char *)body, 2);
    conns[fd].closing = 1;
    return 0;
}

// Frames in c->in; returns 0 when the connection is to close (after its unsent bytes).
static int client_frames(int fd) {
    struct conn *c = &conns[fd];
    int at = 0;
    for (;;) {
        if (c->skip > 0) {
            int n = (uint64_t)(c->in_len - at) < c->skip ? c->in_len - at : (int)c->skip;
            at += n, c->skip -= n;
            if (c->skip > 0) break;
        }
        int avail = c->in_len - at;
        if (avail < 2) break;
        unsigned char *p = (unsigned char *)c->in + at;
        int opcode = p[0] & 0x0F, fin = p[0] & 0x80, masked = p[1] & 0x80;
        uint64_t len = p[1] & 0x7F;
        int head = 2;
        if (len == 126) {
            if (avail < 4) break;
            len = (uint64_t)p[2] << 8 | p[3], head = 4;
        } else if (len == 127) {
            if (avail < 10) break;
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | p[2 + i];
            head = 10;
        }
        if (!masked) return close_with(fd, 1002);
        head += 4;
        int control = opcode >= 0x8, uid = !c->named && (opcode == 0x1 || opcode == 0x2);
        if (control && (len > 125 || !fin)) return close_with(fd, 1002);
        if (uid && (len > MAX_UID || !fin)) return close_with(fd, 1009);
        if (!control && !uid) {  // a data frame after the uid, or a continuation: its payload is skipped
            if (avail < head) break;
            at += head;
            c->skip = len;
            continue;
        }
        if ((uint64_t)avail < head + len) break;
        unsigned char *mask = p + head - 4, *data = p + head;
        for (uint64_t i = 0; i < len; i++) data[i] ^= mask[i & 3];
        at += head + (int)len;
        if (opcode == 0x8) {
            int code = len >= 2 ? data[0] << 8 | data[1] : 1000;
            return close_with(fd, code == 1005 || code < 1000 ? 1000 : code);
        } else if (opcode == 0x9) {
            if (!send_frame(fd, 0xA, (char *)data, len)) return -1;
        } else if (uid) {
            memcpy(c->uid, data, len);
            c->uid_len = (int)len;
            c->named = 1;
            bind_uid(fd);
        }
    }
    memmove(c->in, c->in + at, c->in_len - at);
    c->in_len -= at;
    return 1;
}

/* Reads what the socket has into c->in: 0 when there is nothing to parse (nothing yet, or the
 * connection is gone and dropped), 1 when c->in grew. */
static int read_more(int fd, struct conn *c) {
    ssize_t r = read(fd, c->in + c->in_len, c->in_cap - c->in_len);
    if (r <= 0) {
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
        drop(fd);
        return 0;
    }
    c->in_len += r;
    return 1;
}

static void client_readable(int fd) {
    struct conn *c = &conns[fd];
    if (!read_more(fd, c)) return;
    int ok = 1;
    if (!c->open) ok = handshake(fd);
    if (ok > 0 && c->open && !c->closing) ok = client_frames(fd);
    if (ok < 0 || (c->closing && c->out_len == c->out_off)) drop(fd);
    else if (c->closing) c->paused = 1, interest(fd);
}

// The top-level "uid" of a JSON object: a string (escapes decoded into buf) or an integer, as bytes.
static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    return p;
}

// p at an opening quote; returns the byte after the closing quote, or NULL.
static const char *skip_string(const char *p, const char *end, int *escaped) {
    for (p++; p < end; p++) {
        if (*p == '\\') {
            *escaped = 1, p++;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return NULL;
}

static const char *skip_value(const char *p, const char *end) {
    int depth = 0, escaped;
    while (p < end) {
        char ch = *p;
        if (ch == '"') {
            if (!(p = skip_string(p, end, &escaped))) return NULL;
            if (depth == 0) return p;
            continue;
        }
        if (ch == '{' || ch == '[') depth++;
        else if (ch == '}' || ch == ']') {
            if (depth == 0) return p;
            if (--depth == 0) return p + 1;
        } else if (ch == ',' && depth == 0) return p;
        p++;
    }
    return NULL;
}

static int hex(char ch) {
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

// Decodes the JSON string [p, end) (without quotes) into buf; length, or -1.
static int unescape(const char *p, const char *end, char *buf) {
    int n = 0;
    while (p < end) {
        if (n > MAX_UID - 4) return -1;
        if (*p != '\\') {
            buf[n++] = *p++;
            continue;
        }
        if (++p >= end) return -1;
        char e = *p++;
        const char *plain = strchr("\"\\/bfnrt", e);
        if (e && plain) {
            buf[n++] = "\"\\/\b\f\n\r\t"[plain - "\"\\/bfnrt"];
            continue;
        }
        if (e != 'u' || end - p < 4) return -1;
        unsigned cp = 0;
        for (int i = 0; i < 4; i++) {
            int h = hex(p[i]);
            if (h < 0) return -1;
            cp = cp << 4 | h;
        }
        p += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
            unsigned lo = 0;
            for (int i = 0; i < 4; i++) {
                int h = hex(p[2 + i]);
                if (h < 0) return -1;
                lo = lo << 4 | h;
            }
            if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), p += 6;
        }
        if (cp < 0x80) buf[n++] = cp;
        else if (cp < 0x800) buf[n++] = 0xC0 | cp >> 6, buf[n++] = 0x80 | (cp & 63);
        else if (cp < 0x10000) buf[n++] = 0xE0 | cp >> 12, buf[n++] = 0x80 | (cp >> 6 & 63), buf[n++] = 0x80 | (cp & 63);
        else buf[n++] = 0xF0 | cp >> 18, buf[n++] = 0x80 | (cp >> 12 & 63), buf[n++] = 0x80 | (cp >> 6 & 63), buf[n++] = 0x80 | (cp & 63);
    }
    return n;
}

static int json_uid(const char *p, const char *end, const char **uid, char *buf) {
    p = skip_ws(p, end);
    if (p >= end || *p++ != '{') return -1;
    for (;;) {
        p = skip_ws(p, end);
        if (p >= end || *p != '"') return -1;
        int escaped = 0;
        const char *key = p + 1, *after = skip_string(p, end, &escaped);
        if (!after) return -1;
        int is_uid = !escaped && after - key == 4 && memcmp(key, "uid", 3) == 0;
        p = skip_ws(after, end);
        if (p >= end || *p++ != ':') return -1;
        p = skip_ws(p, end);
        if (is_uid) {
            if (p < end && *p == '"') {
                escaped = 0;
                const char *close = skip_string(p, end, &escaped);
                if (!close) return -1;
                if (!escaped) {
                    *uid = p + 1;
                    return close - 1 - (p + 1) <= MAX_UID ? (int)(close - 1 - (p + 1)) : -1;
                }
                *uid = buf;
                return unescape(p + 1, close - 1, buf);
            }
            const char *q = p + (p < end && *p == '-');
            const char *digits = q;
            while (q < end && *q >= '0' && *q <= '9') q++;
            if (q == digits || q - p > MAX_UID) return -1;
            *uid = p;
            return (int)(q - p);
        }
        if (!(p = skip_value(p, end))) return -1;
        p = skip_ws(p, end);
        if (p >= end || *p != ',') return -1;
        p++;
    }
}

static char replies[REPLIES];

static void backend_readable(int fd) {
    struct conn *c = &conns[fd];
    if (c->in_len == c->in_cap) {  // a line longer than the buffer
        if (c->in_cap >= MAX_LINE) {
            drop(fd);
            return;
        }
        char *grown = realloc(c->in, c->in_cap * 2);
        if (!grown) {
            drop(fd);
            return;
        }
        c->in = grown, c->in_cap *= 2;
    }
    if (!read_more(fd, c)) return;
    int at = 0, n = 0;
    char *nl;
    char buf[MAX_UID];
    while ((nl = memchr(c->in + at, '\n', c->in_len - at))) {
        const char *line = c->in + at;
        int len = nl - line;
        at += len + 1;
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n')) len--;  // as Workerman's Text
        const char *uid;
        int uid_len = json_uid(line, line + len, &uid, buf);
        int to = uid_len >= 0 ? lookup(uid, uid_len) : -1;
        int sent = 0;
        if (to >= 0 && !conns[to].closing) {
            sent = send_frame(to, 0x1, line, len);
            if (!sent) drop(to);
        }
        memcpy(replies + n, sent ? "ok\n" : "fail\n", sent ? 3 : 5);
        n += sent ? 3 : 5;
        if (n > REPLIES - 5) {
            struct iovec iov = {replies, n};
            if (!send_iov(fd, &iov, 1)) {
                drop(fd);
                return;
            }
            n = 0;
        }
    }
    if (n > 0) {
        struct iovec iov = {replies, n};
        if (!send_iov(fd, &iov, 1)) {
            drop(fd);
            return;
        }
    }
    memmove(c->in, c->in + at, c->in_len - at);
    c->in_len -= at;
    if (c->out_len - c->out_off > MAX_UNSENT && !c->paused) {  // the backend does not read its replies
        c->paused = 1;
        interest(fd);
    }
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (void *)&a, sizeof a) || listen(fd, 4096)) {
        fprintf(stderr, "floor-server: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[1]) <= 0 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: floor-server WS_PORT TEXT_PORT\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    max_fd = lim.rlim_cur > (1 << 20) ? 1 << 20 : (int)lim.rlim_cur;
    conns = calloc(max_fd, sizeof *conns);  // pages are touched only for the descriptors in use
    unsigned size = 1024;
    while (size < 2u * max_fd) size *= 2;
    table = malloc(size * sizeof *table);
    if (!conns || !table) {
        fprintf(stderr, "floor-server: out of memory\n");
        return 1;
    }
    memset(table, 0xFF, size * sizeof *table);
    table_mask = size - 1;
    ep = epoll_create1(EPOLL_CLOEXEC);
    int ws = listen_on(atoi(argv[1])), text = listen_on(atoi(argv[2]));
    conns[ws].kind = WS_LISTEN, conns[text].kind = TEXT_LISTEN;
    watch(ws, EPOLLIN, EPOLL_CTL_ADD);
    watch(text, EPOLLIN, EPOLL_CTL_ADD);
    printf("floor-server: websocket 127.0.0.1:%s, text 127.0.0.1:%s, pid %d, up to %d files\n", argv[1], argv[2],
           (int)getpid(), max_fd);
    fflush(stdout);
    struct epoll_event evs[1024];
    for (;;) {
        int k = epoll_wait(ep, evs, 1024, -1);
        for (int i = 0; i < k; i++) {
            int fd = evs[i].data.fd;
            struct conn *c = &conns[fd];
            if (c->kind == WS_LISTEN || c->kind == TEXT_LISTEN) {
                accept_all(fd, c->kind == WS_LISTEN ? WS : TEXT);
                continue;
            }
            if (c->kind == FREE) continue;  // dropped earlier in this batch
            if (evs[i].events & EPOLLOUT) {
                flush(fd);
                if (c->kind == FREE) continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                if (c->kind == WS) client_readable(fd);
                else backend_readable(fd);
            }
        }
    }
}
