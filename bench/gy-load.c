/*
 * The OCS bench's Gy load generator, in C so that it takes little of the two cores the OCS and
 * PostgreSQL share with it (the Node traffic generator spends 25-50 us of CPU per request; this one
 * a few). It plays the bench's voice sessions (CCR-I, three CCR-U, CCR-T) exactly as
 * network/charging-traffic.ts does: each report uses at most what the last answer granted, time
 * moves by the seconds used, a subscriber has one session at a time.
 *
 * It encodes nothing itself: bench/gy-native.ts builds every message with the project's own codec
 * and hands them over as templates with the offsets of what changes from one request to the next
 * (hop-by-hop and end-to-end ids, the session id's counter, the subscriber's number, the event time,
 * the units used). It reads of a CCA what a client acts upon: Result-Code, and in the
 * Multiple-Services-Credit-Control its Result-Code, granted CC-Time and Final-Unit-Indication.
 *
 * Usage: gy-load <templates file> <host> <port> <sessions> <concurrency> <sessions per second, 0 for
 *        a closed loop> <subscribers> <first id> <latencies file>
 * Prints one line of JSON ({"requests":N,"wallMs":T}) and writes each request's latency in ms, one
 * per line. Any answer but success, a session of other than five requests, or a request unanswered
 * for 10 s ends it with a message on stderr and exit status 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define STEPS 5
#define REQUESTED 60
#define USED_PER_STEP 60
#define TIMEOUT_MS 10000.0
#define PENDING_SLOTS 65536 /* per connection, indexed by hop-by-hop id: more than ever in flight */

typedef struct {
	uint8_t *bytes;
	size_t len;
	int sid_off, sid_len, msisdn_off, msisdn_len, time_off, used_off;
} Template;

typedef struct {
	int fd;
	uint8_t *in, *out;
	size_t in_len, in_cap, out_len, out_cap, out_sent;
	Template cer, dpr, dwa, ccr[STEPS];
	uint32_t next_hbh;
	int *pending; /* session index + 1 by hop-by-hop id, 0 when free */
	int want_write;
} Conn;

typedef struct {
	int conn, sub, step, requests, done;
	uint64_t id;
	uint32_t granted, elapsed, hbh;
	double sent_at;
} Session;

static Conn *conns;
static int nconns;
static Session *sessions;
static int total, concurrency, started, finished, nsubs;
static double rate;
static char *busy;
static uint64_t first_id, msisdn_base;
static uint32_t event_time_ntp, e2e_high, e2e_next;
static double *latencies;
static long nlat;
static int epfd;

static void fail(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	fputs("gy-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static void wr_decimal(uint8_t *p, int width, uint64_t v) {
	for (int i = width - 1; i >= 0; i--, v /= 10) p[i] = '0' + v % 10;
	if (v) fail("%d digits cannot hold the number", width);
}

static void *grow(void *p, size_t *cap, size_t need) {
	if (need <= *cap) return p;
	while (*cap < need) *cap = *cap ? *cap * 2 : 65536;
	p = realloc(p, *cap);
	if (!p) fail("out of memory");
	return p;
}

static uint8_t *append(Conn *c, const Template *t) {
	c->out = grow(c->out, &c->out_cap, c->out_len + t->len);
	uint8_t *m = c->out + c->out_len;
	memcpy(m, t->bytes, t->len);
	c->out_len += t->len;
	return m;
}

/* Templates file: lines "<conn> <kind> <hex> <sid off> <sid len> <msisdn off> <msisdn len> <time off> <used off>",
   kind one of cer, dpr, dwa, ccr0 .. ccr4; offsets -1 where the message has no such field. */
static void read_templates(const char *path) {
	FILE *f = fopen(path, "r");
	if (!f) fail("cannot open %s", path);
	char kind[16];
	int ci;
	static char hex[1 << 16];
	nconns = 0;
	while (fscanf(f, "%d %15s %65535s", &ci, kind, hex) == 3) {
		if (ci >= nconns) {
			conns = realloc(conns, sizeof(Conn) * (ci + 1));
			memset(conns + nconns, 0, sizeof(Conn) * (ci + 1 - nconns));
			nconns = ci + 1;
		}
		Template t;
		if (fscanf(f, "%d %d %d %d %d %d", &t.sid_off, &t.sid_len, &t.msisdn_off, &t.msisdn_len, &t.time_off, &t.used_off) != 6) fail("bad template line");
		t.len = strlen(hex) / 2;
		t.bytes = malloc(t.len);
		for (size_t i = 0; i < t.len; i++) sscanf(hex + 2 * i, "%2hhx", &t.bytes[i]);
		Conn *c = &conns[ci];
		if (!strcmp(kind, "cer")) c->cer = t;
		else if (!strcmp(kind, "dpr")) c->dpr = t;
		else if (!strcmp(kind, "dwa")) c->dwa = t;
		else if (!strncmp(kind, "ccr", 3) && kind[3] >= '0' && kind[3] < '0' + STEPS) c->ccr[kind[3] - '0'] = t;
		else fail("unknown template %s", kind);
	}
	fclose(f);
	if (!nconns) fail("no templates");
}

/* Reads whole messages from a blocking socket until one is complete; returns its length. */
static size_t read_message_blocking(Conn *c) {
	for (;;) {
		if (c->in_len >= 20) {
			size_t len = rd32(c->in) & 0xffffff;
			if (c->in_len >= len) return len;
		}
		c->in = grow(c->in, &c->in_cap, c->in_len + 65536);
		ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n <= 0) fail("the OCS closed the connection during the capabilities exchange");
		c->in_len += n;
	}
}

static void consume(Conn *c, size_t len) {
	memmove(c->in, c->in + len, c->in_len - len);
	c->in_len -= len;
}

/* Finds a top-level or member AVP (vendor 0) by code between p and end; returns its payload or NULL. */
static const uint8_t *find_avp(const uint8_t *p, const uint8_t *end, uint32_t code, const uint8_t **payload_end) {
	while (p + 8 <= end) {
		uint32_t c = rd32(p), len = rd32(p + 4) & 0xffffff;
		int vendor = p[4] & 0x80;
		size_t header = vendor ? 12 : 8;
		if (len < header || p + len > end) fail("malformed AVP %u in an answer", c);
		if (c == code && !vendor) {
			*payload_end = p + len;
			return p + header;
		}
		p += (len + 3) & ~3u;
	}
	return NULL;
}

static uint32_t result_code(const uint8_t *p, const uint8_t *end) {
	const uint8_t *e, *v = find_avp(p, end, 268, &e);
	return v && e - v == 4 ? rd32(v) : 0;
}

static void connect_all(const char *host, int port) {
	epfd = epoll_create1(0);
	for (int i = 0; i < nconns; i++) {
		Conn *c = &conns[i];
		struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
		if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) fail("bad host %s", host);
		c->fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr)) fail("connect: %s", strerror(errno));
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->pending = calloc(PENDING_SLOTS, sizeof(int));
		c->next_hbh = 1;
		uint8_t *cer = append(c, &c->cer);
		wr32(cer + 12, c->next_hbh++);
		wr32(cer + 16, e2e_high | (e2e_next++ & 0xfffff));
		if (write(c->fd, c->out, c->out_len) != (ssize_t)c->out_len) fail("writing the CER failed");
		c->out_len = 0;
		size_t len = read_message_blocking(c);
		uint32_t result = result_code(c->in + 20, c->in + len);
		if ((rd32(c->in + 4) & 0xffffff) != 257 || result != 2001) fail("capabilities exchange refused (%u)", result);
		consume(c, len);
		fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
	}
}

/* What the session's next report carries: the units used since, never more than the last grant. */
static uint32_t used_now(const Session *s) { return s->granted < USED_PER_STEP ? s->granted : USED_PER_STEP; }

static void send_step(int si) {
	Session *s = &sessions[si];
	Conn *c = &conns[s->conn];
	const Template *t = &c->ccr[s->step];
	uint8_t *m = append(c, t);
	s->hbh = c->next_hbh++;
	int *slot = &c->pending[s->hbh % PENDING_SLOTS];
	if (*slot) fail("more requests in flight than %d on one connection", PENDING_SLOTS);
	*slot = si + 1;
	wr32(m + 12, s->hbh);
	wr32(m + 16, e2e_high | (e2e_next++ & 0xfffff));
	wr_decimal(m + t->sid_off, t->sid_len, s->id);
	wr_decimal(m + t->msisdn_off, t->msisdn_len, msisdn_base + s->sub);
	wr32(m + t->time_off, event_time_ntp + s->elapsed);
	if (t->used_off >= 0) wr32(m + t->used_off, used_now(s));
	s->sent_at = now_ms();
}

static void start_session(void) {
	int si = started++;
	Session *s = &sessions[si];
	/* A subscriber has one session at a time: the next free one from this session's turn. */
	int sub = si % nsubs;
	for (int tries = 0; busy[sub]; tries++, sub = (sub + 1) % nsubs)
		if (tries > nsubs) fail("every subscriber is busy");
	busy[sub] = 1;
	*s = (Session){ .conn = si % nconns, .sub = sub, .id = first_id + si };
	send_step(si);
}

static void end_session(int si) {
	Session *s = &sessions[si];
	if (s->requests != STEPS) fail("session %d ended after %d requests", si, s->requests);
	s->done = 1;
	busy[s->sub] = 0;
	finished++;
	if (rate == 0 && started < total) start_session();
}

/* The answer to a session's request: record it, then the session's next request, or its end. */
static void on_cca(Conn *c, const uint8_t *m, size_t len) {
	uint32_t hbh = rd32(m + 12);
	int *slot = &c->pending[hbh % PENDING_SLOTS];
	if (!*slot || sessions[*slot - 1].hbh != hbh) fail("an answer to no request (hop-by-hop %u)", hbh);
	int si = *slot - 1;
	*slot = 0;
	Session *s = &sessions[si];
	latencies[nlat++] = now_ms() - s->sent_at;
	s->requests++;
	const uint8_t *end = m + len, *mscc_end, *mscc = find_avp(m + 20, end, 456, &mscc_end);
	uint32_t result = result_code(m + 20, end), unit_result = mscc ? result_code(mscc, mscc_end) : 0;
	if (result != 2001 || (unit_result && unit_result != 2001)) fail("CCR type %d answered %u/%u", s->step, result, unit_result);
	int final_unit = 0;
	if (mscc) {
		const uint8_t *gsu_end, *gsu = find_avp(mscc, mscc_end, 431, &gsu_end), *e;
		const uint8_t *time = gsu ? find_avp(gsu, gsu_end, 420, &e) : NULL;
		s->granted = time ? rd32(time) : 0;
		final_unit = find_avp(mscc, mscc_end, 430, &e) != NULL;
	}
	if (s->step == STEPS - 1) {
		end_session(si);
		return;
	}
	/* The usage this report carries moves the session's clock (voice: by the seconds used). */
	s->step = final_unit ? STEPS - 1 : s->step + 1;
	s->elapsed += used_now(s);
	send_step(si);
}

static void on_readable(int ci) {
	Conn *c = &conns[ci];
	for (;;) {
		c->in = grow(c->in, &c->in_cap, c->in_len + 65536);
		ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
		if (n <= 0) fail("the OCS closed connection %d", ci);
		c->in_len += n;
	}
	size_t at = 0;
	while (c->in_len - at >= 20) {
		const uint8_t *m = c->in + at;
		size_t len = rd32(m) & 0xffffff;
		if (len < 20) fail("a message of length %zu", len);
		if (c->in_len - at < len) break;
		uint32_t command = rd32(m + 4) & 0xffffff;
		int request = m[4] & 0x80;
		if (!request && command == 272) on_cca(c, m, len);
		else if (request && command == 280) {
			uint8_t *dwa = append(c, &c->dwa);
			memcpy(dwa + 12, m + 12, 8);
		} else fail("unexpected %s %u from the OCS", request ? "request" : "answer", command);
		at += len;
	}
	consume(c, at);
}

static void flush_all(void) {
	for (int i = 0; i < nconns; i++) {
		Conn *c = &conns[i];
		while (c->out_sent < c->out_len) {
			ssize_t n = write(c->fd, c->out + c->out_sent, c->out_len - c->out_sent);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
			if (n < 0) fail("write: %s", strerror(errno));
			c->out_sent += n;
		}
		int blocked = c->out_sent < c->out_len;
		if (!blocked) c->out_len = c->out_sent = 0;
		if (blocked != c->want_write) {
			struct epoll_event ev = { .events = EPOLLIN | (blocked ? EPOLLOUT : 0), .data.u32 = i };
			epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
			c->want_write = blocked;
		}
	}
}

static void check_timeouts(double now) {
	for (int i = 0; i < started; i++)
		if (!sessions[i].done && now - sessions[i].sent_at > TIMEOUT_MS) fail("no answer in %.0f ms (session %d, request %d)", TIMEOUT_MS, i, sessions[i].step);
}

static void disconnect_all(void) {
	for (int i = 0; i < nconns; i++) {
		Conn *c = &conns[i];
		uint8_t *dpr = append(c, &c->dpr);
		wr32(dpr + 12, c->next_hbh++);
		wr32(dpr + 16, e2e_high | (e2e_next++ & 0xfffff));
	}
	flush_all();
	/* Each connection's DPA, or its close; whichever comes first, within 2 s. */
	int open = nconns;
	for (double until = now_ms() + 2000; open > 0 && now_ms() < until;) {
		struct epoll_event evs[16];
		int n = epoll_wait(epfd, evs, 16, 100);
		for (int k = 0; k < n; k++) {
			Conn *c = &conns[evs[k].data.u32];
			uint8_t buf[4096];
			ssize_t got = read(c->fd, buf, sizeof buf);
			if (got > 0 && !(got >= 20 && (rd32(buf + 4) & 0xffffff) == 282)) continue;
			epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
			open--;
		}
	}
	for (int i = 0; i < nconns; i++) close(conns[i].fd);
}

int main(int argc, char **argv) {
	if (argc != 10) fail("usage: gy-load <templates> <host> <port> <sessions> <concurrency> <sessions/s> <subscribers> <first id> <latencies file>");
	read_templates(argv[1]);
	total = atoi(argv[4]);
	concurrency = atoi(argv[5]);
	rate = atof(argv[6]);
	nsubs = atoi(argv[7]);
	first_id = strtoull(argv[8], NULL, 10);
	/* The event time and the first subscriber's number come in the templates' own fields. */
	const Template *t0 = &conns[0].ccr[0];
	event_time_ntp = rd32(t0->bytes + t0->time_off);
	msisdn_base = 0;
	for (int i = 0; i < t0->msisdn_len; i++) msisdn_base = msisdn_base * 10 + (t0->bytes[t0->msisdn_off + i] - '0');
	/* RFC 6733 §3: end-to-end ids with the time in their high 12 bits; the low 20 go on from run to run. */
	e2e_high = ((uint32_t)time(NULL) & 0xfff) << 20;
	e2e_next = (uint32_t)first_id * STEPS;
	sessions = calloc(total, sizeof(Session));
	latencies = calloc((size_t)total * STEPS, sizeof(double));
	busy = calloc(nsubs, 1);
	connect_all(argv[2], atoi(argv[3]));

	double t0ms = now_ms(), last_check = t0ms;
	if (rate == 0)
		while (started < total && started < concurrency) start_session();
	while (finished < total) {
		if (rate > 0) {
			/* Open loop: sessions start at the rate, whatever is in flight. */
			int due = (int)((now_ms() - t0ms) / 1000 * rate) + 1;
			if (due > total) due = total;
			while (started < due) start_session();
		}
		flush_all();
		/* Sleep until the next session is due (open loop) or something arrives. */
		int wait_ms = 100;
		if (rate > 0 && started < total) {
			double due_at = t0ms + started * 1000.0 / rate;
			double left = due_at - now_ms();
			wait_ms = left <= 0 ? 0 : (int)left + 1;
		}
		struct epoll_event evs[64];
		int n = epoll_wait(epfd, evs, 64, wait_ms);
		for (int k = 0; k < n; k++)
			if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(evs[k].data.u32);
		double now = now_ms();
		if (now - last_check > 1000) check_timeouts(last_check = now);
	}
	double wall = now_ms() - t0ms;
	disconnect_all();

	FILE *out = fopen(argv[9], "w");
	if (!out) fail("cannot write %s", argv[9]);
	for (long i = 0; i < nlat; i++) fprintf(out, "%.4f\n", latencies[i]);
	fclose(out);
	printf("{\"requests\":%ld,\"wallMs\":%.3f}\n", nlat, wall);
	return 0;
}
