/*
 * cli_editor.c: writing a note in $EDITOR.
 *
 * The editor needs the text in a file, in clear, and editors leave more
 * files beside it (vim's .swp, emacs's file~ and #file#, nano's .save).
 * So the file goes into a private directory (mkdtemp, 0700) made for this
 * one edit under $XDG_RUNTIME_DIR: a tmpfs that belongs to the user alone
 * and is emptied at logout, so the text never reaches a disk (unless
 * memory is swapped out). Without a usable $XDG_RUNTIME_DIR the directory
 * goes under $TMPDIR, else /tmp, and a warning says that the text may
 * reach the disk there. The editor runs without BINOME_PASSPHRASE in its
 * environment: it has no use for it, and whatever it starts (plugins,
 * shells, language servers) must not inherit it.
 *
 * Afterwards every file in the directory, whoever made it, is overwritten
 * with zeros, synced and removed, then the directory; what cannot be
 * removed is named on stderr. Overwriting is best effort: a journaling or
 * copy-on-write file system, or a flash disk, may keep the old blocks
 * elsewhere; that is why a tmpfs is preferred. An editor may also keep
 * text outside this directory (vim's viminfo registers or undo files, an
 * IDE's history): that is the editor's configuration, out of binome's
 * reach.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMPFS_MAGIC_ 0x01021994 /* linux/magic.h: TMPFS_MAGIC */
#define RAMFS_MAGIC_ 0x858458f6 /* linux/magic.h: RAMFS_MAGIC */
#define TREE_DEPTH_MAX 8        /* subdirectories an editor may leave */

/* in_memory says whether the directory is on a tmpfs or ramfs. */
static int in_memory(const char *dir)
{
    struct statfs fs;
    return statfs(dir, &fs) == 0 && ((unsigned long)fs.f_type == TMPFS_MAGIC_ ||
                                     (unsigned long)fs.f_type == RAMFS_MAGIC_);
}

/* runtime_dir returns $XDG_RUNTIME_DIR when it is usable as the spec
 * defines it (an absolute path to a directory of ours that nobody else
 * may enter), else NULL. */
static const char *runtime_dir(void)
{
    const char *d = getenv("XDG_RUNTIME_DIR");
    struct stat st;

    if (d == NULL || d[0] != '/' || stat(d, &st) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
        access(d, W_OK | X_OK) != 0)
        return NULL;
    return d;
}

/* make_private_dir makes dir (size bytes) for this edit: 0 or an error
 * with its message set; warns on stderr when it is not under
 * $XDG_RUNTIME_DIR. */
static int make_private_dir(cli_ctx *ctx, char *dir, size_t size)
{
    const char *base = runtime_dir();
    int n;

    if (base == NULL) {
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        base = getenv("TMPDIR");
        if (base == NULL || base[0] != '/')
            base = "/tmp";
        if (!in_memory(base))
            fprintf(stderr,
                    "binome: warning: %s; the note is written in clear "
                    "under %s for the editor, which is not a memory file "
                    "system: the text may reach the disk\n",
                    xdg ? "XDG_RUNTIME_DIR is not a private directory of "
                          "yours"
                        : "XDG_RUNTIME_DIR is not set",
                    cli_safe(base));
    }
    n = snprintf(dir, size, "%s/binome-edit-XXXXXX", base);
    if (n < 0 || (size_t)n >= size)
        return cli_fail(ctx, BNC_EINVAL,
                        "the temporary directory's path is "
                        "too long");
    if (mkdtemp(dir) == NULL)
        return cli_fail(ctx, -errno,
                        "cannot make a private directory in %s: %s",
                        cli_safe(base), strerror(errno));
    /* mkdtemp makes it 0700; a umask cannot widen that, but say it. */
    if (chmod(dir, 0700) != 0) {
        int rc = cli_fail(ctx, -errno, "cannot make %s private", cli_safe(dir));
        rmdir(dir);
        return rc;
    }
    return 0;
}

/* wipe overwrites a regular file with zeros and syncs it, best effort;
 * anything else (a FIFO, a socket, a link) is left to unlink. */
static void wipe(const char *path)
{
    static const uint8_t zeros[4096];
    struct stat st;
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0)
        return;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        for (off_t left = st.st_size; left > 0;) {
            size_t n = left > (off_t)sizeof zeros ? sizeof zeros : (size_t)left;
            ssize_t w = write(fd, zeros, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            left -= w;
        }
        fsync(fd);
    }
    close(fd);
}

/* cannot_remove says on stderr that path stays, and why. */
static void cannot_remove(const char *path, int err)
{
    fprintf(stderr,
            "binome: warning: cannot remove %s (%s); it may hold the note's "
            "text in clear: remove it yourself\n",
            cli_safe(path), strerror(err));
}

/* remove_tree wipes and removes everything under dir, then dir itself;
 * returns how many entries stayed, each named on stderr. */
static int remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int left = 0;

    if (d == NULL) {
        cannot_remove(dir, errno);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        char path[BNC_PATH_MAX + 300];
        struct stat st;
        int n;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof path) {
            cannot_remove(e->d_name, ENAMETOOLONG);
            left++;
            continue;
        }
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
            depth < TREE_DEPTH_MAX) {
            left += remove_tree(path, depth + 1);
            continue;
        }
        wipe(path);
        if (unlink(path) != 0) {
            cannot_remove(path, errno);
            left++;
        }
    }
    closedir(d);
    if (rmdir(dir) != 0) {
        if (left == 0)
            cannot_remove(dir, errno);
        left++;
    }
    return left;
}

/* write_init writes the text an edit starts from into a new file. */
static int write_init(cli_ctx *ctx, const char *path, const uint8_t *init,
                      size_t len)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc;

    if (fd < 0)
        return cli_fail(ctx, -errno, "cannot make a temporary file: %s",
                        strerror(errno));
    rc = bn_write_full(fd, init, len);
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc != 0)
        rc = cli_fail(ctx, BNC_EIO, "cannot write a temporary file: %s",
                      strerror(-rc));
    return rc;
}

/* read_result reads what the editor saved (cap bytes at most). */
static int read_result(cli_ctx *ctx, const char *path, uint8_t *buf, size_t cap,
                       size_t *len)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    size_t n = 0;
    int rc;

    if (fd < 0)
        return cli_fail(ctx, -errno, "the editor left no file: %s",
                        strerror(errno));
    rc = bn_read_full(fd, buf, cap, &n);
    close(fd);
    if (rc == 0 && n == cap)
        rc = cli_fail(ctx, BNC_ETOOBIG, "the text is longer than %zu KiB",
                      (cap - 1) / 1024);
    if (rc == 0)
        *len = n;
    return rc;
}

static volatile sig_atomic_t got_signal;

/* While the directory exists (the editor runs), a hangup or a termination
 * waits for it, so that the directory is cleaned; the signal is raised
 * again afterwards (cli_edit, or cli_edit_reraise after a draft). */
static void note_signal(int sig)
{
    got_signal = sig;
}

/* run_editor runs ${EDITOR:-vi} on path without BINOME_PASSPHRASE and
 * waits for it: 0, or an error with its message set. */
static const int edit_sigs[4] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM};

/* hold_signals, from the moment the directory is made until it is
 * removed: like system(3), ^C and ^\ belong to the editor, not to us; a
 * hangup or a termination is noted (got_signal) and acted on once the
 * directory is gone. */
static void hold_signals(struct sigaction old[4])
{
    struct sigaction ign = {0}, catch = {0};

    ign.sa_handler = SIG_IGN;
    catch.sa_handler = note_signal;
    sigemptyset(&ign.sa_mask);
    sigemptyset(&catch.sa_mask);
    got_signal = 0;
    for (int i = 0; i < 4; i++)
        sigaction(edit_sigs[i], i < 2 ? &ign : &catch, &old[i]);
}

static void release_signals(const struct sigaction old[4])
{
    for (int i = 0; i < 4; i++)
        sigaction(edit_sigs[i], &old[i], NULL);
}

static int run_editor(cli_ctx *ctx, const char *path)
{
    const int *sigs = edit_sigs;
    int status = 0, rc = 0;
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 4; i++)
            signal(sigs[i], SIG_DFL);
        unsetenv("BINOME_PASSPHRASE");
        execl("/bin/sh", "sh", "-c", "exec ${EDITOR:-vi} \"$1\"", "sh", path,
              (char *)NULL);
        _exit(127);
    }
    if (pid < 0) {
        rc = cli_fail(ctx, -errno, "cannot start the editor: %s",
                      strerror(errno));
    } else {
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                rc = cli_fail(ctx, -errno, "lost the editor: %s",
                              strerror(errno));
                break;
            }
        }
        if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
            rc = cli_fail(ctx, BNC_EIO,
                          "the editor failed; nothing was sent (set EDITOR)");
    }
    return rc;
}

/* The signal that ended an edit whose text was kept for the caller. */
static int pending_signal;

int cli_edit(cli_ctx *ctx, const uint8_t *init, size_t initlen, uint8_t *buf,
             size_t cap, size_t *len)
{
    char dir[BNC_PATH_MAX], path[BNC_PATH_MAX + 16];
    struct sigaction old[4];
    int rc, sig, kept = 0;

    hold_signals(old);
    rc = make_private_dir(ctx, dir, sizeof dir);
    if (rc != 0) {
        release_signals(old);
        return rc;
    }
    snprintf(path, sizeof path, "%s/note.txt", dir);
    rc = write_init(ctx, path, init, initlen);
    if (rc == 0) {
        if (got_signal == 0)
            rc = run_editor(ctx, path);
        /* A hangup or a termination: what the editor saved last, if it
         * is new, goes to the caller to be kept (a draft). */
        if (got_signal != 0 && read_result(ctx, path, buf, cap, len) == 0 &&
            *len > 0 &&
            !(*len == initlen &&
              (initlen == 0 || memcmp(buf, init, initlen) == 0)))
            kept = 1;
        else if (rc == 0 && got_signal == 0)
            rc = read_result(ctx, path, buf, cap, len);
    }
    /* Whatever happened: nothing of the text stays behind. */
    if (remove_tree(dir, 0) != 0 && rc == 0)
        fprintf(stderr, "binome: warning: the note was read, but its "
                        "temporary copy could not be removed entirely\n");
    release_signals(old);
    sig = got_signal;
    if (sig != 0 && kept) {
        pending_signal = sig;
        return cli_fail(ctx, CLI_EINTERRUPTED, "interrupted; nothing was sent");
    }
    if (sig != 0) {
        signal(sig, SIG_DFL);
        raise(sig);
        rc = cli_fail(ctx, BNC_EIO, "interrupted; nothing was sent");
    }
    return rc;
}

void cli_edit_reraise(void)
{
    int sig = pending_signal;

    if (sig != 0) {
        pending_signal = 0;
        fflush(stdout);
        fflush(stderr);
        signal(sig, SIG_DFL);
        raise(sig);
    }
}
