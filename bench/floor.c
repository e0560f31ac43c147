// The kernel's floor under Herald's benchmark figures on this machine: what a program that does
// nothing but write() costs, with the same shape of load as herald-bench.
//
// N loopback TCP connections; a reader process drains them all with one epoll thread (like
// herald-bench's single client event loop); the writer
//   fanout R S:    writes a 100-byte message to every connection, R times a second, for S seconds;
//   targeted R S:  writes a 100-byte message to a random connection, R times a second, for S seconds
//                  (paced every millisecond).
// Prints the writer's CPU time (user + system) per write, and for fanout how long after the start of a
// broadcast its k-th write returned (p50/p99/max over all writes): no server that writes each
// connection from one thread can deliver a broadcast faster than that.
//
//   cc -O2 -o floor bench/floor.c && ./floor fanout 10000 10 10
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 5 || (strcmp(argv[1], "fanout") && strcmp(argv[1], "targeted"))) {
        fprintf(stderr, "usage: floor fanout|targeted CONNECTIONS RATE SECONDS\n");
        return 2;
    }
    int fanout = !strcmp(argv[1], "fanout");
    int n = atoi(argv[2]);
    double rate = atof(argv[3]);
    int secs = atoi(argv[4]);
    int one = 1;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t al = sizeof a;
    if (bind(ls, (void *)&a, sizeof a) || listen(ls, 4096) || getsockname(ls, (void *)&a, &al)) {
        perror("listen");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        int ep = epoll_create1(0);
        struct sockaddr_in src = {.sin_family = AF_INET};
        inet_pton(AF_INET, "127.0.0.2", &src.sin_addr);
        for (int i = 0; i < n; i++) {
            int s = socket(AF_INET, SOCK_STREAM, 0);
            bind(s, (void *)&src, sizeof src);
            if (connect(s, (void *)&a, sizeof a)) {
                perror("connect");
                exit(1);
            }
            fcntl(s, F_SETFL, O_NONBLOCK);
            struct epoll_event e = {.events = EPOLLIN, .data.fd = s};
            epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
        }
        char buf[4096];
        struct epoll_event evs[1024];
        for (;;) {
            int k = epoll_wait(ep, evs, 1024, -1);
            for (int i = 0; i < k; i++)
                while (read(evs[i].data.fd, buf, sizeof buf) > 0) {}
        }
    }
    int *fd = malloc(n * sizeof(int));
    for (int i = 0; i < n; i++) {
        fd[i] = accept(ls, 0, 0);
        if (fd[i] < 0) {
            perror("accept");
            kill(child, SIGKILL);
            return 1;
        }
        setsockopt(fd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    char msg[100];
    memset(msg, 'x', sizeof msg);
    long total = (long)(rate * secs) * (fanout ? n : 1);
    float *lag = fanout ? malloc(total * sizeof(float)) : NULL;
    sleep(1);
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = now();
    long writes = 0;
    if (fanout) {
        for (long b = 0; b < (long)(rate * secs); b++) {
            double due = t0 + b / rate;
            while (now() < due) usleep(200);
            double start = now();
            for (int i = 0; i < n; i++) {
                if (write(fd[i], msg, sizeof msg) == sizeof msg) lag[writes++] = (now() - start) * 1e3;
            }
        }
    } else {
        unsigned seed = 1;
        long due = 0;
        while (due < total) {
            long should = (long)((now() - t0) * rate);
            if (should > total) should = total;
            for (; due < should; due++)
                if (write(fd[rand_r(&seed) % n], msg, sizeof msg) == sizeof msg) writes++;
            usleep(1000);
        }
    }
    getrusage(RUSAGE_SELF, &r1);
    double u = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6;
    double s = (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    printf("{\"scenario\":\"floor\",\"label\":\"floor.c\",\"params\":{\"mode\":\"%s\",\"connections\":%d,"
           "\"rate\":%g,\"seconds\":%d},\"results\":{\"mode\":\"%s\",\"connections\":%d,\"writes\":%ld,"
           "\"writesPerSecond\":%.0f,\"cpuUsPerWrite\":%.2f,\"userUsPerWrite\":%.2f,\"sysUsPerWrite\":%.2f",
           argv[1], n, rate, secs, argv[1], n, writes, writes / (now() - t0), (u + s) * 1e6 / writes,
           u * 1e6 / writes, s * 1e6 / writes);
    if (fanout && writes > 0) {
        qsort(lag, writes, sizeof(float), cmp);
        printf(",\"writtenAfterMs\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f}", lag[writes / 2],
               lag[(long)(writes * 0.99)], lag[writes - 1]);
    }
    printf("}}\n");
    kill(child, SIGKILL);
    waitpid(child, 0, 0);
    return 0;
}
