/*
 * vfs.h — a SQLite VFS shim for the fault-injection and crash tests. It wraps
 * the default VFS ("unix") and counts every write, fsync and truncate on
 * every file SQLite opens (database, WAL, journal). At the n-th such
 * operation it either fails it (SQLITE_IOERR_WRITE, SQLITE_FULL,
 * SQLITE_IOERR_FSYNC, SQLITE_IOERR_TRUNCATE: what a bad disk or a full one
 * gives) or kills the whole process with SIGKILL before the operation runs,
 * which is what `kill -9` or an OOM killer does to an import at that point.
 * The shim is SQLite's own testing idea (src/test_devsym.c, test_vfstrace.c)
 * made small. Registered as the default VFS, so ww_db_open() uses it without
 * knowing. Header-only: tests/test_faults and tests/test_crash each include
 * it once; one process, one shim.
 */
#ifndef WW_TESTS_FAULTS_VFS_H
#define WW_TESTS_FAULTS_VFS_H

#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

/* What happens at the target operation. */
typedef enum fault_vfs_action {
    FAULT_VFS_OFF = 0,  /* count only */
    FAULT_VFS_EIO = 1,  /* fail it as an I/O error */
    FAULT_VFS_FULL = 2, /* fail writes as "disk full" (others as I/O errors) */
    FAULT_VFS_KILL = 3  /* SIGKILL this process before it runs */
} fault_vfs_action;

/* Which operations count towards the target. */
#define FAULT_VFS_WRITE 0x1
#define FAULT_VFS_SYNC 0x2
#define FAULT_VFS_TRUNCATE 0x4
#define FAULT_VFS_ALL (FAULT_VFS_WRITE | FAULT_VFS_SYNC | FAULT_VFS_TRUNCATE)

typedef struct fault_vfs_state {
    fault_vfs_action action;
    unsigned ops;   /* FAULT_VFS_* mask of operations that count */
    long target;    /* 1-based index of the operation to fault; 0: none */
    int persistent; /* keep failing every counted operation after target */
    long seen;      /* counted operations so far */
    long injected;  /* faults injected so far */
} fault_vfs_state;

static fault_vfs_state fault_vfs;
static sqlite3_vfs *fault_vfs_real;

typedef struct fault_file {
    sqlite3_file base;  /* our methods */
    sqlite3_file *real; /* the wrapped file, stored right after this struct */
} fault_file;

#define REAL(f) (((fault_file *)(f))->real)

/* Arm the shim: fault the target-th operation in ops (counting from now). */
static void fault_vfs_arm(fault_vfs_action action, unsigned ops, long target, int persistent)
{
    fault_vfs.action = action;
    fault_vfs.ops = ops;
    fault_vfs.target = target;
    fault_vfs.persistent = persistent;
    fault_vfs.seen = 0;
    fault_vfs.injected = 0;
}

/* Stop injecting; returns how many faults were injected since arming. */
static long fault_vfs_disarm(void)
{
    long n = fault_vfs.injected;
    fault_vfs.action = FAULT_VFS_OFF;
    fault_vfs.target = 0;
    return n;
}

/* 0 to let the operation run, else the SQLite code to fail it with. */
static int fault_vfs_hit(unsigned op, int io_code)
{
    if (!(fault_vfs.ops & op)) return 0;
    fault_vfs.seen++;
    if (fault_vfs.action == FAULT_VFS_OFF || fault_vfs.target <= 0) return 0;
    if (fault_vfs.seen != fault_vfs.target &&
        !(fault_vfs.persistent && fault_vfs.seen > fault_vfs.target))
        return 0;
    fault_vfs.injected++;
    if (fault_vfs.action == FAULT_VFS_KILL) {
        kill(getpid(), SIGKILL);
        pause();
    }
    if (fault_vfs.action == FAULT_VFS_FULL && op == FAULT_VFS_WRITE) return SQLITE_FULL;
    return io_code;
}

static int fv_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}

static int fv_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int fv_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int rc = fault_vfs_hit(FAULT_VFS_WRITE, SQLITE_IOERR_WRITE);
    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int fv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = fault_vfs_hit(FAULT_VFS_TRUNCATE, SQLITE_IOERR_TRUNCATE);
    return rc ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int fv_sync(sqlite3_file *f, int flags)
{
    int rc = fault_vfs_hit(FAULT_VFS_SYNC, SQLITE_IOERR_FSYNC);
    return rc ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int fv_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int fv_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int fv_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int fv_check_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int fv_file_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int fv_sector_size(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int fv_device_characteristics(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int fv_shm_map(sqlite3_file *f, int page, int page_size, int extend, void volatile **out)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), page, page_size, extend, out);
}

static int fv_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void fv_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int fv_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int fv_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int fv_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

/* The unix VFS gives version-3 methods to every file; the shim offers the
 * same version, forwarding what the wrapped file has. */
static const sqlite3_io_methods fault_io_methods = {
    3,
    fv_close,
    fv_read,
    fv_write,
    fv_truncate,
    fv_sync,
    fv_file_size,
    fv_lock,
    fv_unlock,
    fv_check_reserved,
    fv_file_control,
    fv_sector_size,
    fv_device_characteristics,
    fv_shm_map,
    fv_shm_lock,
    fv_shm_barrier,
    fv_shm_unmap,
    fv_fetch,
    fv_unfetch,
};

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    fault_file *ff = (fault_file *)f;
    int rc;
    (void)vfs;
    ff->real = (sqlite3_file *)(ff + 1);
    memset(ff->real, 0, (size_t)fault_vfs_real->szOsFile);
    rc = fault_vfs_real->xOpen(fault_vfs_real, name, ff->real, flags, out_flags);
    /* SQLite calls xClose only when pMethods is set, so mirror the real
     * file: methods exactly when it has them. */
    ff->base.pMethods = ff->real->pMethods ? &fault_io_methods : NULL;
    return rc;
}

static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return fault_vfs_real->xDelete(fault_vfs_real, name, sync_dir);
}

static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return fault_vfs_real->xAccess(fault_vfs_real, name, flags, out);
}

static int fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return fault_vfs_real->xFullPathname(fault_vfs_real, name, n, out);
}

static void *fv_dlopen(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return fault_vfs_real->xDlOpen(fault_vfs_real, name);
}

static void fv_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    fault_vfs_real->xDlError(fault_vfs_real, n, out);
}

static void (*fv_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return fault_vfs_real->xDlSym(fault_vfs_real, h, sym);
}

static void fv_dlclose(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    fault_vfs_real->xDlClose(fault_vfs_real, h);
}

static int fv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return fault_vfs_real->xRandomness(fault_vfs_real, n, out);
}

static int fv_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return fault_vfs_real->xSleep(fault_vfs_real, us);
}

static int fv_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return fault_vfs_real->xCurrentTime(fault_vfs_real, out);
}

static int fv_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return fault_vfs_real->xGetLastError(fault_vfs_real, n, out);
}

static int fv_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return fault_vfs_real->xCurrentTimeInt64(fault_vfs_real, out);
}

static sqlite3_vfs fault_vfs_obj = {
    2,
    0,
    0,
    NULL,
    "ww-fault",
    NULL,
    fv_open,
    fv_delete,
    fv_access,
    fv_full_pathname,
    fv_dlopen,
    fv_dlerror,
    fv_dlsym,
    fv_dlclose,
    fv_randomness,
    fv_sleep,
    fv_current_time,
    fv_get_last_error,
    fv_current_time_int64,
    NULL,
    NULL,
    NULL,
};

/* Wrap the current default VFS and make the shim the default. 0 or a
 * SQLite error code. */
static int fault_vfs_install(void)
{
    if (fault_vfs_real) return SQLITE_OK;
    if (!(fault_vfs_real = sqlite3_vfs_find(NULL))) return SQLITE_ERROR;
    fault_vfs_obj.szOsFile = (int)sizeof(fault_file) + fault_vfs_real->szOsFile;
    fault_vfs_obj.mxPathname = fault_vfs_real->mxPathname;
    return sqlite3_vfs_register(&fault_vfs_obj, 1);
}

#undef REAL

#endif
