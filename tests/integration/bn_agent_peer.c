/*
 * bn_agent_peer: a helper of tests/integration/agent.sh, not a test. It
 * connects to an agent's socket as whoever runs it (the script runs it
 * as another user), sends one request byte and counts what comes back.
 *
 *   bn_agent_peer SOCKET [REQUEST]     REQUEST: a byte, default 1 (GET)
 *
 * Prints "answered N bytes" and exits 1 when the agent sent anything,
 * "closed, nothing sent" and exits 0 when it closed without a byte,
 * "cannot connect: ..." and exits 2 when it could not connect.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_un addr;
    unsigned char req = 1, buf[4096];
    size_t total = 0;
    int fd;

    if (argc < 2 || argc > 3 || strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "usage: bn_agent_peer SOCKET [REQUEST]\n");
        return 2;
    }
    if (argc == 3)
        req = (unsigned char)atoi(argv[2]);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, argv[1], strlen(argv[1]));
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        printf("cannot connect: %s\n", strerror(errno));
        return 2;
    }
    /* The agent may close before reading: a failed send is no answer. */
    if (send(fd, &req, 1, MSG_NOSIGNAL) != 1) {
        printf("closed, nothing sent\n");
        return 0;
    }
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t r;

        if (poll(&pfd, 1, 5000) <= 0)
            break; /* 5 s of silence: counted as it stands */
        r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            break;
        total += (size_t)r;
    }
    close(fd);
    if (total == 0) {
        printf("closed, nothing sent\n");
        return 0;
    }
    printf("answered %zu bytes\n", total);
    return 1;
}
