#include "bn_testd.h"
#include "bn_testfs.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *binomed_path(void)
{
    const char *p = getenv("BINOMED");
    return p != NULL && *p ? p : "build/binomed";
}

uint16_t bn_testd_free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    uint16_t port = 0;

    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static int can_connect(uint16_t port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int ok;

    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* Runs `binomed init` and keeps the last line of its stdout. */
static int run_init(bn_testd *d)
{
    char cmd[1200];
    FILE *p;
    char line[600];

    snprintf(cmd, sizeof cmd, "'%s' init --data '%s' --listen %s 2>>'%s'",
             binomed_path(), d->data, d->listen, d->log);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    d->invite[0] = '\0';
    while (fgets(line, sizeof line, p) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0')
            snprintf(d->invite, sizeof d->invite, "%s", line);
    }
    if (pclose(p) != 0 || strncmp(d->invite, "BN1.", 4) != 0) {
        fprintf(stderr, "testd: binomed init failed (see %s)\n", d->log);
        return -1;
    }
    return 0;
}

static int spawn(bn_testd *d)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
            close(nul);
        }
        execl(binomed_path(), "binomed", "--data", d->data, "--listen",
              d->listen, (char *)NULL);
        _exit(127);
    }
    d->pid = pid;
    for (int i = 0; i < 1000; i++) { /* up to 10 s, ASan is slow */
        int status;
        if (can_connect(d->port))
            return 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "testd: binomed exited early (see %s)\n", d->log);
            d->pid = 0;
            return -1;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "testd: binomed did not listen on %s\n", d->listen);
    return -1;
}

int bn_testd_start(bn_testd *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->dir, sizeof d->dir, "/tmp/binome-test-XXXXXX");
    if (mkdtemp(d->dir) == NULL)
        return -1;
    snprintf(d->data, sizeof d->data, "%s/data", d->dir);
    snprintf(d->log, sizeof d->log, "%s/binomed.log", d->dir);
    d->port = bn_testd_free_port();
    snprintf(d->listen, sizeof d->listen, "127.0.0.1:%u", (unsigned)d->port);
    if (d->port == 0 || run_init(d) != 0)
        return -1;
    return spawn(d);
}

int bn_testd_restart(bn_testd *d)
{
    return spawn(d);
}

int bn_testd_kill(bn_testd *d, int sig)
{
    int status = -1;
    if (d->pid <= 0)
        return -1;
    kill(d->pid, sig);
    if (waitpid(d->pid, &status, 0) != d->pid)
        status = -1;
    d->pid = 0;
    return status;
}

void bn_testd_stop(bn_testd *d)
{
    if (d->pid > 0)
        bn_testd_kill(d, SIGTERM);
    if (d->dir[0] != '\0' && getenv("BN_TEST_KEEP") == NULL)
        bn_testfs_rmtree(d->dir);
}

static int file_contains(const char *path, const void *needle, size_t len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 20, have = 0, n;
    char *buf;
    int found = 0;

    if (f == NULL)
        return 0;
    buf = malloc(cap + len);
    if (buf == NULL) {
        fclose(f);
        return 0;
    }
    /* keep len-1 bytes of overlap between reads */
    while ((n = fread(buf + have, 1, cap, f)) > 0) {
        have += n;
        if (memmem(buf, have, needle, len) != NULL) {
            found = 1;
            break;
        }
        if (have >= len) {
            memmove(buf, buf + have - (len - 1), len - 1);
            have = len - 1;
        }
    }
    free(buf);
    fclose(f);
    return found;
}

int bn_testd_tree_contains(const char *path, const void *needle, size_t len)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return file_contains(path, needle, len);
    if (!S_ISDIR(st.st_mode))
        return 0;
    DIR *dir = opendir(path);
    struct dirent *e;
    char sub[1024];
    int found = 0;
    if (dir == NULL)
        return 0;
    while (!found && (e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        found = bn_testd_tree_contains(sub, needle, len);
    }
    closedir(dir);
    return found;
}
