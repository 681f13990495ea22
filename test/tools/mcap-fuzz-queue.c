// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-fuzz-queue.c - mcap-fuzz's calls of the buffer queue and its I/O
 *
 * REQBUFS, CREATE_BUFS, QUERYBUF, PREPARE_BUF, QBUF, DQBUF, EXPBUF,
 * STREAMON and STREAMOFF with random arguments, some real streaming
 * (op_stream), and read(), poll(), mmap(), munmap() and reopening a handle.
 * The queue's state as the calls leave it (buffer count, memory type,
 * offsets) is kept in the node; some mappings and exported dma-bufs are
 * kept for a while, for USERPTR and DMABUF buffers of later calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mcap-fuzz.h"

/* ---- mappings and dma-bufs kept for later calls ----------------------- */

static struct { void *addr; size_t len; } maps[MAX_MAPS];
static int dmabufs[MAX_DMABUFS];

/* keep a mapping (and so its buffer) alive for a while, if small */
static void keep_map(void *addr, size_t len, size_t buflen)
{
	int i = rnd(MAX_MAPS);

	if (buflen > MAX_KEEP || chance(3)) {
		munmap(addr, len);
		return;
	}
	if (maps[i].addr)
		munmap(maps[i].addr, maps[i].len);
	maps[i].addr = addr;
	maps[i].len = len;
}

static void keep_dmabuf(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);	/* a dma-buf's size */
	int i = rnd(MAX_DMABUFS);

	if (len < 0 || len > MAX_KEEP) {
		close(fd);
		return;
	}
	if (dmabufs[i] >= 0)
		close(dmabufs[i]);
	dmabufs[i] = fd;
}

static int any_dmabuf(void)
{
	int i, j = rnd(MAX_DMABUFS);

	for (i = 0; i < MAX_DMABUFS; i++)
		if (dmabufs[(i + j) % MAX_DMABUFS] >= 0)
			return dmabufs[(i + j) % MAX_DMABUFS];
	return -1;
}

/* none kept yet */
void keep_init(void)
{
	int i;

	for (i = 0; i < MAX_DMABUFS; i++)
		dmabufs[i] = -1;
}

/* drop what is still kept */
void keep_release(void)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
	for (i = 0; i < MAX_DMABUFS; i++)
		if (dmabufs[i] >= 0)
			close(dmabufs[i]);
}

/* ---- buffers ---------------------------------------------------------- */

static __u32 mmap_clamp(struct fz_node *n, int fd, __u32 count, __u32 size)
{
	refresh_fmt(n, fd);
	if (size < n->pix.sizeimage)
		size = n->pix.sizeimage;
	size = (size + pagesz - 1) & ~(pagesz - 1);
	if (!size)
		return count;
	if ((uint64_t)count * size > MMAP_BUDGET)
		count = MMAP_BUDGET / size;
	return count;
}

void op_reqbufs(struct fz_node *n, int *fd)
{
	static const __u32 counts[] = { 0, 1, 2, 3, 4, 8, 31, 32, 33, 64, 0xffffffff };
	struct v4l2_requestbuffers rb;
	int r;

	rndfill(&rb, sizeof(rb));
	rb.count = rnd(4) ? counts[rnd(sizeof(counts) / sizeof(counts[0]))] : bval();
	rb.type = rnd_type();
	rb.memory = rnd_memory(n);
	if (rnd(2))
		memset(rb.reserved, 0, sizeof(rb.reserved));
	if (rb.memory == V4L2_MEMORY_MMAP)
		rb.count = mmap_clamp(n, *fd, rb.count, 0);
	r = xioctl(n, *fd, OP_REQBUFS, VIDIOC_REQBUFS, &rb);
	if (!r) {
		n->nbufs = rb.count;
		n->memory = rb.memory;
		if (rb.count > VIDEO_MAX_FRAME)
			fz_warn(n, OP_REQBUFS, "granted %u buffers", rb.count);
	}
	if (rb.type != CAP)
		must_fail(n, OP_REQBUFS, r, "a foreign buffer type");
}

void op_create_bufs(struct fz_node *n, int *fd)
{
	struct v4l2_create_buffers cb;
	int r;

	rndfill(&cb, sizeof(cb));
	cb.count = rnd(2) ? rnd(6) : bval();
	cb.memory = rnd_memory(n);
	cb.format.type = rnd_type();
	fill_pix(n, &cb.format.fmt.pix);
	switch (rnd(6)) {
	case 0: cb.format.fmt.pix.sizeimage = 0; break;
	case 1: cb.format.fmt.pix.sizeimage = n->pix.sizeimage - 1; break;
	case 2: cb.format.fmt.pix.sizeimage = bval(); break;
	default: cb.format.fmt.pix.sizeimage = n->pix.sizeimage + rnd(2) * rnd(65536); break;
	}
	if (cb.memory == V4L2_MEMORY_MMAP) {
		/* a huge MMAP plane would only feed the OOM killer */
		if (cb.format.fmt.pix.sizeimage > MMAP_BUDGET)
			cb.format.fmt.pix.sizeimage = n->pix.sizeimage;
		cb.count = mmap_clamp(n, *fd, cb.count, cb.format.fmt.pix.sizeimage);
	}
	r = xioctl(n, *fd, OP_CREATE_BUFS, VIDIOC_CREATE_BUFS, &cb);
	if (!r && cb.count) {
		n->nbufs = cb.index + cb.count;
		n->memory = cb.memory;
	}
	if (cb.format.type != CAP)
		must_fail(n, OP_CREATE_BUFS, r, "a foreign buffer type");
}

static void fill_buf(struct fz_node *n, struct v4l2_buffer *b)
{
	size_t size = n->pix.sizeimage;
	int i;

	rndfill(b, sizeof(*b));
	b->index = rnd_index(n);
	b->type = rnd_type();
	b->memory = rnd_memory(n);
	b->flags = rnd(3) ? 0 : bval();
	b->field = rnd(3) ? V4L2_FIELD_NONE : bval();
	b->reserved2 = 0;
	if (rnd(3))
		b->request_fd = 0;
	switch (rnd(8)) {
	case 0: b->length = 0; break;
	case 1: b->length = bval(); break;
	case 2: b->length = size - 1; break;
	case 3: b->length = size + rnd(pagesz); break;
	default: b->length = size; break;
	}
	b->bytesused = rnd(2) ? 0 : bval();
	if (b->memory == V4L2_MEMORY_USERPTR) {
		switch (rnd(12)) {
		case 0: b->m.userptr = 0; break;
		case 1: b->m.userptr = (unsigned long)bad_ptr(size); break;
		case 2: b->m.userptr = (unsigned long)rdonly; break;
		case 3: b->m.userptr = (unsigned long)(arena + rnd(ARENA_SIZE)); break;
		case 4:	/* another node's mapped buffer */
			i = rnd(MAX_MAPS);
			b->m.userptr = (unsigned long)maps[i].addr;
			if (maps[i].addr && rnd(2))
				b->length = maps[i].len;
			break;
		case 5: /* ends in the guard page after the arena */
			b->m.userptr = (unsigned long)(arena + ARENA_SIZE - pagesz);
			break;
		default:
			b->m.userptr = (unsigned long)(arena + (rnd(2) ? 0 : rnd(64) * pagesz +
					(rnd(4) ? 0 : rnd(64))));
			if (b->length > ARENA_SIZE / 2)
				b->length = rnd(ARENA_SIZE / 2);
			break;
		}
	} else if (b->memory == V4L2_MEMORY_DMABUF) {
		switch (rnd(8)) {
		case 0: b->m.fd = -1; break;
		case 1: b->m.fd = n->fd[0]; break;	/* not a dma-buf */
		case 2: b->m.fd = evfd; break;
		case 3: b->m.fd = bval(); break;
		default: b->m.fd = any_dmabuf(); break;
		}
	} else if (rnd(2)) {
		b->m.offset = bval();
	}
}

void op_querybuf(struct fz_node *n, int *fd)
{
	struct v4l2_buffer b;
	int r;

	fill_buf(n, &b);
	r = xioctl(n, *fd, OP_QUERYBUF, VIDIOC_QUERYBUF, &b);
	if (!r && b.index < VIDEO_MAX_FRAME && b.memory == V4L2_MEMORY_MMAP) {
		n->offsets[b.index] = b.m.offset;
		n->lengths[b.index] = b.length;
	}
	if (b.index >= VIDEO_MAX_FRAME)
		must_fail(n, OP_QUERYBUF, r, "index out of range");
}

static void op_qbuf_op(struct fz_node *n, int *fd, int op)
{
	struct v4l2_buffer b;
	int r;

	fill_buf(n, &b);
	r = xioctl(n, *fd, op, op == OP_QBUF ? VIDIOC_QBUF : VIDIOC_PREPARE_BUF, &b);
	if (b.index >= VIDEO_MAX_FRAME)
		must_fail(n, op, r, "index out of range");
	if (b.memory == V4L2_MEMORY_USERPTR && b.length < n->pix.sizeimage &&
	    b.type == CAP && b.memory == n->memory)
		must_fail(n, op, r, "a USERPTR plane smaller than sizeimage");
}

void op_qbuf(struct fz_node *n, int *fd) { op_qbuf_op(n, fd, OP_QBUF); }
void op_prepare_buf(struct fz_node *n, int *fd) { op_qbuf_op(n, fd, OP_PREPARE_BUF); }

void op_dqbuf(struct fz_node *n, int *fd)
{
	struct v4l2_buffer b;
	const __u32 last = V4L2_BUF_FLAG_DONE | V4L2_BUF_FLAG_LAST;

	fill_buf(n, &b);
	if ((b.flags & last) == last)
		n->vb2_last = 1;
	xioctl(n, *fd, OP_DQBUF, VIDIOC_DQBUF, &b);
}

void op_expbuf(struct fz_node *n, int *fd)
{
	struct v4l2_exportbuffer e;
	int r;

	rndfill(&e, sizeof(e));
	e.type = rnd_type();
	e.index = rnd_index(n);
	e.plane = rnd(4) ? 0 : bval();
	e.flags = rnd(4) ? (O_CLOEXEC | (rnd(2) ? O_RDWR : O_RDONLY)) : bval();
	if (rnd(2))
		memset(e.reserved, 0, sizeof(e.reserved));
	e.fd = -1;
	r = xioctl(n, *fd, OP_EXPBUF, VIDIOC_EXPBUF, &e);
	if (!r) {
		if (e.fd < 0)
			fz_warn(n, OP_EXPBUF, "success without an fd");
		else
			keep_dmabuf(e.fd);
		if (e.plane)
			fz_warn(n, OP_EXPBUF, "exported plane %u", e.plane);
	}
}

void op_streamon(struct fz_node *n, int *fd)
{
	int type = rnd_type();
	int r = xioctl(n, *fd, OP_STREAMON, VIDIOC_STREAMON, &type);

	if (type != CAP)
		must_fail(n, OP_STREAMON, r, "a foreign buffer type");
}

void op_streamoff(struct fz_node *n, int *fd)
{
	int type = rnd_type();
	int r = xioctl(n, *fd, OP_STREAMOFF, VIDIOC_STREAMOFF, &type);

	if (type != CAP)
		must_fail(n, OP_STREAMOFF, r, "a foreign buffer type");
}

/* some real streaming: MMAP buffers, QBUF all, STREAMON, DQBUF/QBUF */
void op_stream(struct fz_node *n, int *fd)
{
	struct v4l2_requestbuffers rb = { .type = CAP, .memory = V4L2_MEMORY_MMAP };
	struct pollfd pfd = { .fd = *fd, .events = POLLIN };
	struct v4l2_buffer b;
	unsigned int i;
	int type = CAP, got = 0;

	refresh_fmt(n, *fd);
	if (n->pix.sizeimage > STREAM_MAX)
		return;
	rb.count = 2 + rnd(3);
	if (xioctl(n, *fd, OP_REQBUFS, VIDIOC_REQBUFS, &rb) || !rb.count)
		return;
	n->nbufs = rb.count;
	n->memory = V4L2_MEMORY_MMAP;
	for (i = 0; i < rb.count; i++) {
		memset(&b, 0, sizeof(b));
		b.type = CAP;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		if (xioctl(n, *fd, OP_QBUF, VIDIOC_QBUF, &b))
			fz_warn(n, OP_STREAM, "QBUF %u of %u fresh buffers: %m", i,
				rb.count);
	}
	if (xioctl(n, *fd, OP_STREAMON, VIDIOC_STREAMON, &type)) {
		fz_warn(n, OP_STREAM, "STREAMON after REQBUFS: %m");
		return;
	}
	for (i = 0; i < 3 && got < 2; i++) {
		note(n, OP_POLL, POLLIN, NULL, 0);
		if (rec(n, OP_POLL, poll(&pfd, 1, 50)) <= 0)
			continue;
		memset(&b, 0, sizeof(b));
		b.type = CAP;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(n, *fd, OP_DQBUF, VIDIOC_DQBUF, &b))
			continue;
		got++;
		if (b.index >= rb.count || b.bytesused != n->pix.sizeimage)
			fz_warn(n, OP_STREAM, "DQBUF index %u bytesused %u", b.index,
				b.bytesused);
		if (rnd(4))
			xioctl(n, *fd, OP_QBUF, VIDIOC_QBUF, &b);
	}
	sh->calls++;
	sh->hist[OP_STREAM][got ? 0 : EAGAIN]++;
	if (rnd(2))
		xioctl(n, *fd, OP_STREAMOFF, VIDIOC_STREAMOFF, &type);
}

/* ---- read, poll, mmap, reopen ----------------------------------------- */

void op_read(struct fz_node *n, int *fd)
{
	size_t size = n->pix.sizeimage, len;
	void *buf = readbuf;

	if (size > READ_MAX)
		return;
	switch (rnd(8)) {
	case 0: len = 0; break;
	case 1: len = 1; break;
	case 2: len = size - 1; break;
	case 3: len = size + 1; break;
	case 4: len = rnd(READ_MAX); break;
	default: len = size; break;
	}
	if (len > READ_MAX)
		len = READ_MAX;
	if (chance(16))
		buf = bad_ptr(len);
	note(n, OP_READ, len, NULL, 0);
	rec(n, OP_READ, read(*fd, buf, len) < 0 ? -1 : 0);
}

void op_poll(struct fz_node *n, int *fd)
{
	static const short ev[] = {
		POLLIN, POLLPRI, POLLOUT, POLLIN | POLLPRI, 0, POLLIN | POLLRDNORM,
		(short)0xffff,
	};
	struct pollfd p = { .fd = *fd, .events = ev[rnd(sizeof(ev) / sizeof(ev[0]))] };

	note(n, OP_POLL, p.events, NULL, 0);
	rec(n, OP_POLL, poll(&p, 1, rnd(4) ? 0 : rnd(20)) < 0 ? -1 : 0);
}

void op_mmap(struct fz_node *n, int *fd)
{
	unsigned int i = rnd(n->nbufs ? n->nbufs : 1) % VIDEO_MAX_FRAME;
	off_t off = n->offsets[i];
	size_t len = n->lengths[i] ? n->lengths[i] : n->pix.sizeimage;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED;
	void *p;

	switch (rnd(10)) {
	case 0: off += pagesz; break;
	case 1: off = (off_t)rnd(1 << 18) * pagesz; break;
	case 2: off += 1 + rnd(pagesz - 1); break;
	case 3: len += pagesz; break;
	case 4: len = rnd(2) ? 0 : len / 2; break;
	case 5: len = (size_t)1 << 40; break;
	case 6: prot = rnd(2) ? PROT_READ : rnd(2) ? PROT_WRITE : PROT_NONE; break;
	case 7: flags = MAP_PRIVATE; break;
	default: break;
	}
	note(n, OP_MMAP, off, NULL, 0);
	p = mmap(NULL, len, prot, flags, *fd, off);
	if (rec(n, OP_MMAP, p == MAP_FAILED ? -1 : 0))
		return;
	if (prot & PROT_READ)
		(void)*(volatile unsigned char *)p;
	if (prot & PROT_WRITE)
		*(volatile unsigned char *)((unsigned char *)p + len - 1) = 0;
	keep_map(p, len, n->lengths[i] > n->pix.sizeimage ? n->lengths[i] :
		 n->pix.sizeimage);
}

void op_munmap(struct fz_node *n, int *fd)
{
	int i = rnd(MAX_MAPS);

	(void)fd;
	if (!maps[i].addr)
		return;
	rec(n, OP_MUNMAP, munmap(maps[i].addr, maps[i].len));
	maps[i].addr = NULL;
}

void op_reopen(struct fz_node *n, int *fd)
{
	note(n, OP_REOPEN, 0, NULL, 0);
	close(*fd);
	*fd = node_open(n);
	if (rec(n, OP_REOPEN, *fd < 0 ? -1 : 0)) {
		printf("FAIL: %s: reopen: %m\n", n->path);
		node_broken = 1;
	}
}
