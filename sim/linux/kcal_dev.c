/*
 * kcal_dev — the run's loop device as the model's device sees it: 4 KiB
 * latency at one and at 32 requests in flight, sequential bandwidth, flush.
 *
 * All I/O is O_DIRECT on the bare loop device this calibration attached (no
 * filesystem on it, nobody else's data), so the page cache above the device
 * plays no part.  32 in flight come from Linux AIO, submitted from one thread,
 * through the raw system calls (no library needed for five of them).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/kcal_int.h"

#define REGION (64ull << 20)     /* the part of the device the 4 KiB I/O hits */
#define QD 32

struct dev {
	int fd;
	char *buf;                   /* QD pages, then a 1 MiB buffer */
	uint64_t seed;
};

static uint64_t next_offset(struct dev *d)
{
	d->seed = d->seed * 6364136223846793005ull + 1442695040888963407ull;
	return ((d->seed >> 33) % (REGION / 4096)) * 4096;
}

static bool fail(GError **err, const char *what)
{
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "calibration: %s: %s",
		    what, g_strerror(errno));
	return false;
}

/* Sequential 1 MiB writes over the region: fills it (so reads find data, not
 * holes) and gives the bandwidth; the median of three passes. */
static bool fill(struct dev *d, struct kcal *k, GError **err)
{
	char *big = d->buf + QD * 4096;
	uint64_t r[3];
	for (int pass = 0; pass < 3; pass++) {
		uint64_t t = kcal_now();
		for (uint64_t off = 0; off < REGION; off += 1 << 20)
			if (pwrite(d->fd, big, 1 << 20, (off_t)off) != 1 << 20)
				return fail(err, "sequential write");
		if (fsync(d->fd) != 0)
			return fail(err, "fsync");
		r[pass] = kcal_now() - t;
	}
	uint64_t ns = kcal_median(r, 3);
	k->bandwidth = (uint64_t)((double)REGION * 1e9 / (double)(ns ? ns : 1));
	return true;
}

static bool qd1(struct dev *d, bool write, uint64_t *median, double *cv, GError **err)
{
	enum { N = 2000 };
	uint64_t *lat = g_new(uint64_t, N);
	double sum = 0, sum2 = 0;
	for (int i = 0; i < N; i++) {
		off_t off = (off_t)next_offset(d);
		uint64_t t = kcal_now();
		ssize_t n = write ? pwrite(d->fd, d->buf, 4096, off) : pread(d->fd, d->buf, 4096, off);
		lat[i] = kcal_now() - t;
		if (n != 4096) {
			g_free(lat);
			return fail(err, write ? "4 KiB write" : "4 KiB read");
		}
		sum += (double)lat[i];
		sum2 += (double)lat[i] * (double)lat[i];
	}
	double mean = sum / N;
	if (cv)
		*cv = mean > 0 ? sqrt(fmax(sum2 / N - mean * mean, 0)) / mean : 0;
	*median = kcal_median(lat, N);
	g_free(lat);
	return true;
}

static bool qd32(struct dev *d, bool write, uint64_t *median, double *iops, GError **err)
{
	enum { N = 8000 };
	aio_context_t ctx = 0;
	if (syscall(SYS_io_setup, QD, &ctx) != 0)
		return fail(err, "io_setup");
	struct iocb cb[QD], *list[1];
	uint64_t sent[QD], *lat = g_new(uint64_t, N);
	int done = 0, submitted = 0;
	bool ok = true;
	uint64_t t0 = kcal_now();
	for (int s = 0; s < QD && ok; s++) {
		cb[s] = (struct iocb){
			.aio_data = (uint64_t)s, .aio_fildes = (uint32_t)d->fd,
			.aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
			.aio_buf = (uint64_t)(uintptr_t)(d->buf + s * 4096), .aio_nbytes = 4096,
			.aio_offset = (int64_t)next_offset(d),
		};
		list[0] = &cb[s];
		sent[s] = kcal_now();
		ok = syscall(SYS_io_submit, ctx, 1, list) == 1;
		submitted++;
	}
	while (ok && done < N) {
		struct io_event ev[QD];
		long n = syscall(SYS_io_getevents, ctx, 1, QD, ev, NULL);
		if (n <= 0) {
			ok = false;
			break;
		}
		uint64_t now = kcal_now();
		for (long i = 0; i < n && ok; i++) {
			int s = (int)ev[i].data;
			if (ev[i].res != 4096) {
				errno = ev[i].res < 0 ? (int)-ev[i].res : EIO;
				ok = false;
				break;
			}
			if (done < N)
				lat[done++] = now - sent[s];
			if (submitted < N) {
				cb[s].aio_offset = (int64_t)next_offset(d);
				list[0] = &cb[s];
				sent[s] = now;
				ok = syscall(SYS_io_submit, ctx, 1, list) == 1;
				submitted++;
			}
		}
	}
	uint64_t elapsed = kcal_now() - t0;
	/* Reap what is still in flight before the context goes. */
	syscall(SYS_io_destroy, ctx);
	if (ok) {
		*median = kcal_median(lat, (size_t)done);
		*iops = (double)done * 1e9 / (double)(elapsed ? elapsed : 1);
	}
	g_free(lat);
	return ok || fail(err, write ? "AIO writes" : "AIO reads");
}

static bool flush(struct dev *d, struct kcal *k, GError **err)
{
	enum { N = 30 };
	uint64_t r[N];
	for (int i = 0; i < N; i++) {
		if (pwrite(d->fd, d->buf, 4096, (off_t)next_offset(d)) != 4096)
			return fail(err, "4 KiB write");
		uint64_t t = kcal_now();
		if (fsync(d->fd) != 0)
			return fail(err, "fsync");
		r[i] = kcal_now() - t;
	}
	k->flush = kcal_median(r, N);
	return true;
}

bool kcal_device(struct kenv *e, struct kcal *k, GError **err)
{
	struct dev d = { .seed = 42 };
	d.fd = open(kenv_loop_device(e), O_RDWR | O_DIRECT | O_CLOEXEC);
	if (d.fd < 0)
		return fail(err, kenv_loop_device(e));
	if (posix_memalign((void **)&d.buf, 4096, QD * 4096 + (1 << 20)) != 0) {
		close(d.fd);
		return fail(err, "buffer");
	}
	memset(d.buf, 0x6b, QD * 4096 + (1 << 20));
	bool ok = fill(&d, k, err) && qd1(&d, true, &k->write_qd1, &k->jitter, err) &&
		  qd1(&d, false, &k->read_qd1, NULL, err) &&
		  qd32(&d, true, &k->write_qd32, &k->write_iops_qd32, err) &&
		  qd32(&d, false, &k->read_qd32, &k->read_iops_qd32, err) && flush(&d, k, err);
	if (ok) {
		/* The model serves up to queue_depth requests at once, each taking the
		 * QD1 latency: the depth that gives the measured QD32 rate. */
		double par = k->write_iops_qd32 * (double)k->write_qd1 / 1e9;
		k->queue_depth = (unsigned)CLAMP(lround(par), 1, QD);
	}
	free(d.buf);
	close(d.fd);
	return ok;
}
