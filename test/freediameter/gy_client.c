/*
 * A freeDiameter extension acting as a Gy client (a PGW/SGSN's charging trigger function) for the
 * interoperability test of our Gy server. Once the peer named in its configuration is open, it
 * sends one credit-control session with a voice and a data rating group: CCR-I and CCR-U; then it
 * waits for the server's Re-Auth-Request, answers it DIAMETER_LIMITED_SUCCESS and re-authorises
 * with a second CCR-U, as RFC 4006 §5.5 has it; then CCR-T. It writes what each answer and the RAR
 * said, one line per fact, to the output file. The last line is "DONE" (or "FAIL <why>").
 *
 * Configuration string (the part after ':' of LoadExtension): "<output file> <peer identity> <realm>".
 */
#include <freeDiameter/extension.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char out_path[512];
static char peer_id[256];
static char dest_realm[256];
static FILE *out;
static pthread_t starter;

static struct dict_object *ccr_cmd, *rar_cmd, *dcca_app;
static struct dict_object *d_dest_realm, *d_dest_host, *d_auth_app, *d_context, *d_type, *d_number,
    *d_event_ts, *d_sub_id, *d_sub_type, *d_sub_data, *d_msi, *d_mscc, *d_rsu, *d_usu, *d_cc_time,
    *d_total, *d_rating_group;

static void say(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

static struct dict_object *avp_named(const char *name) {
	struct dict_object *o = NULL;
	if (fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_NAME_ALL_VENDORS, name, &o, ENOENT)) {
		fprintf(stderr, "gy_client: AVP %s not in the dictionary\n", name);
		return NULL;
	}
	return o;
}

static struct avp *new_avp(struct dict_object *model) {
	struct avp *a = NULL;
	fd_msg_avp_new(model, 0, &a);
	return a;
}

static void add(msg_or_avp *parent, struct avp *child) {
	fd_msg_avp_add(parent, MSG_BRW_LAST_CHILD, child);
}

static void add_u32(msg_or_avp *parent, struct dict_object *model, uint32_t v) {
	union avp_value val;
	struct avp *a = new_avp(model);
	memset(&val, 0, sizeof(val));
	val.u32 = v;
	fd_msg_avp_setvalue(a, &val);
	add(parent, a);
}

static void add_i32(msg_or_avp *parent, struct dict_object *model, int32_t v) {
	union avp_value val;
	struct avp *a = new_avp(model);
	memset(&val, 0, sizeof(val));
	val.i32 = v;
	fd_msg_avp_setvalue(a, &val);
	add(parent, a);
}

static void add_u64(msg_or_avp *parent, struct dict_object *model, uint64_t v) {
	union avp_value val;
	struct avp *a = new_avp(model);
	memset(&val, 0, sizeof(val));
	val.u64 = v;
	fd_msg_avp_setvalue(a, &val);
	add(parent, a);
}

static void add_os(msg_or_avp *parent, struct dict_object *model, const void *data, size_t len) {
	union avp_value val;
	struct avp *a = new_avp(model);
	memset(&val, 0, sizeof(val));
	val.os.data = (uint8_t *)data;
	val.os.len = len;
	fd_msg_avp_setvalue(a, &val);
	add(parent, a);
}

static void add_str(msg_or_avp *parent, struct dict_object *model, const char *s) {
	add_os(parent, model, s, strlen(s));
}

/* One MSCC: a Requested-Service-Unit (empty when rsu < 0, absent when rsu == 0) and a Used-Service-Unit. */
static void add_mscc(struct msg *req, uint32_t rating_group, struct dict_object *unit, long long rsu, long long usu) {
	struct avp *mscc = new_avp(d_mscc);
	if (rsu != 0) {
		struct avp *g = new_avp(d_rsu);
		if (rsu > 0) {
			if (unit == d_cc_time) add_u32(g, unit, (uint32_t)rsu); else add_u64(g, unit, (uint64_t)rsu);
		}
		add(mscc, g);
	}
	if (usu > 0) {
		struct avp *g = new_avp(d_usu);
		if (unit == d_cc_time) add_u32(g, unit, (uint32_t)usu); else add_u64(g, unit, (uint64_t)usu);
		add(mscc, g);
	}
	add_u32(mscc, d_rating_group, rating_group);
	add(req, mscc);
}

static char session_id[512];
static void send_ccr(int type, uint32_t number);

/*
 * What an IMS node adds to a call's first CCR, in freeDiameter's own TS 32.299 dictionary (with the
 * flags it gives each AVP, most of them mandatory): the UE's IMEISV, and IMS-Information with the
 * called party among members the OCS does not read. Returns 0 when an AVP is not in the dictionary.
 */
static int add_ims_call(struct msg *req) {
	static const uint8_t imeisv[8] = { 0x35, 0x34, 0x90, 0x06, 0x98, 0x73, 0x31, 0x90 };
	static const uint8_t sip_request_ts[4] = { 0xed, 0x13, 0x39, 0x20 };
	struct dict_object *ue = avp_named("User-Equipment-Info"), *ue_type = avp_named("User-Equipment-Info-Type"), *ue_value = avp_named("User-Equipment-Info-Value"),
			   *si = avp_named("Service-Information"), *ims = avp_named("IMS-Information"), *event = avp_named("Event-Type"), *method = avp_named("SIP-Method"),
			   *role = avp_named("Role-Of-Node"), *node = avp_named("Node-Functionality"), *user_session = avp_named("User-Session-Id"),
			   *calling = avp_named("Calling-Party-Address"), *called = avp_named("Called-Party-Address"), *icid = avp_named("IMS-Charging-Identifier"),
			   *stamps = avp_named("Time-Stamps"), *request_ts = avp_named("SIP-Request-Timestamp"), *ioi = avp_named("Inter-Operator-Identifier"),
			   *orig_ioi = avp_named("Originating-IOI");
	if (!ue || !ue_type || !ue_value || !si || !ims || !event || !method || !role || !node || !user_session || !calling || !called || !icid || !stamps ||
	    !request_ts || !ioi || !orig_ioi)
		return 0;
	struct avp *equipment = new_avp(ue), *service = new_avp(si), *information = new_avp(ims), *e = new_avp(event), *t = new_avp(stamps), *i = new_avp(ioi);
	add_i32(equipment, ue_type, 0); /* IMEISV */
	add_os(equipment, ue_value, imeisv, sizeof(imeisv));
	add(req, equipment);
	add_str(e, method, "INVITE");
	add(information, e);
	add_i32(information, role, 0);  /* ORIGINATING_ROLE */
	add_i32(information, node, 6); /* AS */
	add_str(information, user_session, "a84b4c76e66710@pc33.atlanta.example.com");
	add_str(information, calling, "sip:+34600000042@ims.example.com");
	add_str(information, called, "tel:+49-30-123456");
	add_os(t, request_ts, sip_request_ts, sizeof(sip_request_ts));
	add(information, t);
	add_str(i, orig_ioi, "ims.example.com");
	add(information, i);
	add_str(information, icid, "icid-fdclient-1");
	add(service, information);
	add(req, service);
	return 1;
}

static void report_cca(struct msg *ans) {
	struct avp *a = NULL;
	uint32_t result = 0, number = 0;
	int32_t type = 0;
	fd_msg_browse(ans, MSG_BRW_FIRST_CHILD, &a, NULL);
	for (; a; fd_msg_browse(a, MSG_BRW_NEXT, &a, NULL)) {
		struct avp_hdr *h;
		fd_msg_avp_hdr(a, &h);
		if (h->avp_vendor != 0) continue;
		if (h->avp_code == 268) result = h->avp_value->u32;
		if (h->avp_code == 416) type = h->avp_value->i32;
		if (h->avp_code == 415) number = h->avp_value->u32;
	}
	say("CCA type=%d number=%u result=%u", type, number, result);
	fd_msg_browse(ans, MSG_BRW_FIRST_CHILD, &a, NULL);
	for (; a; fd_msg_browse(a, MSG_BRW_NEXT, &a, NULL)) {
		struct avp_hdr *h;
		struct avp *c = NULL;
		uint32_t rg = 0, rc = 0, validity = 0, time = 0;
		unsigned long long octets = 0;
		int fua = -1;
		fd_msg_avp_hdr(a, &h);
		if (h->avp_vendor != 0 || h->avp_code != 456) continue;
		fd_msg_browse(a, MSG_BRW_FIRST_CHILD, &c, NULL);
		for (; c; fd_msg_browse(c, MSG_BRW_NEXT, &c, NULL)) {
			struct avp_hdr *ch;
			fd_msg_avp_hdr(c, &ch);
			if (ch->avp_code == 432) rg = ch->avp_value->u32;
			else if (ch->avp_code == 268) rc = ch->avp_value->u32;
			else if (ch->avp_code == 448) validity = ch->avp_value->u32;
			else if (ch->avp_code == 431 || ch->avp_code == 430) {
				struct avp *g = NULL;
				fd_msg_browse(c, MSG_BRW_FIRST_CHILD, &g, NULL);
				for (; g; fd_msg_browse(g, MSG_BRW_NEXT, &g, NULL)) {
					struct avp_hdr *gh;
					fd_msg_avp_hdr(g, &gh);
					if (gh->avp_code == 420) time = gh->avp_value->u32;
					if (gh->avp_code == 421) octets = (unsigned long long)gh->avp_value->u64;
					if (gh->avp_code == 449) fua = gh->avp_value->i32;
				}
			}
		}
		say("MSCC number=%u rg=%u result=%u time=%u octets=%llu validity=%u fua=%d", number, rg, rc, time, octets, validity, fua);
	}
}

/* The answer to request number `data`: 0 (CCR-I) is followed by CCR-U 1, which waits for the RAR; 2 (the CCR-U after it) by CCR-T 3. */
static void on_cca(void *data, struct msg **ans) {
	uint32_t number = (uint32_t)(intptr_t)data;
	report_cca(*ans);
	fd_msg_free(*ans);
	*ans = NULL;
	if (number == 0) send_ccr(2, 1);
	else if (number == 1) say("WAITING for RAR");
	else if (number == 2) send_ccr(3, 3);
	else say("DONE");
}

/* The server's Re-Auth-Request: reported, answered DIAMETER_LIMITED_SUCCESS, then the CCR-U it asks for. */
static int on_rar(struct msg **msg, struct avp *avp, struct session *sess, void *opaque, enum disp_action *act) {
	struct avp *a = NULL;
	uint32_t app = 0, rating_group = 0;
	int32_t type = -1;
	char sid[512] = "", dest[256] = "";
	(void)avp;
	(void)sess;
	(void)opaque;
	fd_msg_browse(*msg, MSG_BRW_FIRST_CHILD, &a, NULL);
	for (; a; fd_msg_browse(a, MSG_BRW_NEXT, &a, NULL)) {
		struct avp_hdr *h;
		fd_msg_avp_hdr(a, &h);
		if (h->avp_vendor != 0 || !h->avp_value) continue;
		if (h->avp_code == 263) snprintf(sid, sizeof(sid), "%.*s", (int)h->avp_value->os.len, (char *)h->avp_value->os.data);
		if (h->avp_code == 293) snprintf(dest, sizeof(dest), "%.*s", (int)h->avp_value->os.len, (char *)h->avp_value->os.data);
		if (h->avp_code == 258) app = h->avp_value->u32;
		if (h->avp_code == 285) type = h->avp_value->i32;
		if (h->avp_code == 432) rating_group = h->avp_value->u32;
	}
	say("RAR session-matches=%s destination-host=%s app=%u re-auth-type=%d rg=%u", strcmp(sid, session_id) == 0 ? "yes" : "no", dest, app, type, rating_group);
	CHECK_FCT(fd_msg_new_answer_from_req(fd_g_config->cnf_dict, msg, 0));
	CHECK_FCT(fd_msg_rescode_set(*msg, "DIAMETER_LIMITED_SUCCESS", NULL, NULL, 1));
	CHECK_FCT(fd_msg_send(msg, NULL, NULL));
	*act = DISP_ACT_CONT;
	send_ccr(2, 2);
	return 0;
}

static void send_ccr(int type, uint32_t number) {
	struct msg *req = NULL;
	/* 2026-01-15T10:00:00Z in NTP seconds (RFC 6733 Time). */
	static const uint8_t event_ts[4] = { 0xed, 0x13, 0x39, 0x20 };
	if (fd_msg_new(ccr_cmd, MSGFL_ALLOC_ETEID, &req)) { say("FAIL fd_msg_new"); return; }
	if (session_id[0] == '\0') {
		struct session *sess = NULL;
		os0_t sid;
		size_t sidlen;
		if (fd_msg_new_session(req, (os0_t)"gy", 2)) { say("FAIL session"); return; }
		fd_msg_sess_get(fd_g_config->cnf_dict, req, &sess, NULL);
		fd_sess_getsid(sess, &sid, &sidlen);
		snprintf(session_id, sizeof(session_id), "%.*s", (int)sidlen, (char *)sid);
		say("SESSION %s", session_id);
	} else {
		/* The same Session-Id AVP for every request of the session. */
		struct avp *a = new_avp(avp_named("Session-Id"));
		union avp_value val;
		memset(&val, 0, sizeof(val));
		val.os.data = (uint8_t *)session_id;
		val.os.len = strlen(session_id);
		fd_msg_avp_setvalue(a, &val);
		fd_msg_avp_add(req, MSG_BRW_FIRST_CHILD, a);
	}
	fd_msg_add_origin(req, 0);
	add_str(req, d_dest_realm, dest_realm);
	add_str(req, d_dest_host, peer_id);
	add_u32(req, d_auth_app, 4);
	add_str(req, d_context, "32260@3gpp.org");
	add_i32(req, d_type, type);
	add_u32(req, d_number, number);
	add_os(req, d_event_ts, event_ts, 4);
	{
		struct avp *sub = new_avp(d_sub_id);
		add_i32(sub, d_sub_type, 0);
		add_str(sub, d_sub_data, "34600000042");
		add(req, sub);
	}
	add_i32(req, d_msi, 1);
	if (type == 1) {
		add_mscc(req, 100, d_cc_time, 120, 0);
		add_mscc(req, 300, d_total, -1, 0);
		if (!add_ims_call(req)) { say("FAIL IMS AVPs not in freeDiameter's dictionary"); return; }
	} else if (type == 2) {
		add_mscc(req, 100, d_cc_time, 120, 100);
		add_mscc(req, 300, d_total, 5000000000LL, 5000000000LL);
	} else {
		add_mscc(req, 100, d_cc_time, 0, 30);
		add_mscc(req, 300, d_total, 0, 1234);
	}
	say("CCR type=%d number=%u", type, number);
	if (fd_msg_send(&req, on_cca, (void *)(intptr_t)number)) say("FAIL fd_msg_send");
}

/* Waits for the peer to be open, then starts the session. */
static void *start_when_open(void *arg) {
	(void)arg;
	for (int i = 0; i < 600; i++) {
		struct peer_hdr *peer = NULL;
		if (fd_peer_getbyid((DiamId_t)peer_id, strlen(peer_id), 0, &peer) == 0 && peer && fd_peer_get_state(peer) == STATE_OPEN) {
			say("OPEN %s", peer_id);
			send_ccr(1, 0);
			return NULL;
		}
		usleep(100000);
	}
	say("FAIL peer %s never opened", peer_id);
	return NULL;
}

static int gy_client_init(char *conffile) {
	if (!conffile || sscanf(conffile, "%511s %255s %255s", out_path, peer_id, dest_realm) != 3) {
		fprintf(stderr, "gy_client: configuration must be '<output> <peer> <realm>'\n");
		return EINVAL;
	}
	out = fopen(out_path, "w");
	if (!out) return errno;
	CHECK_FCT(fd_dict_search(fd_g_config->cnf_dict, DICT_COMMAND, CMD_BY_NAME, "Credit-Control-Request", &ccr_cmd, ENOENT));
	CHECK_FCT(fd_dict_search(fd_g_config->cnf_dict, DICT_APPLICATION, APPLICATION_BY_NAME, "Diameter Credit Control Application", &dcca_app, ENOENT));
	if (!(d_dest_realm = avp_named("Destination-Realm")) || !(d_dest_host = avp_named("Destination-Host")) ||
	    !(d_auth_app = avp_named("Auth-Application-Id")) || !(d_context = avp_named("Service-Context-Id")) ||
	    !(d_type = avp_named("CC-Request-Type")) || !(d_number = avp_named("CC-Request-Number")) ||
	    !(d_event_ts = avp_named("Event-Timestamp")) || !(d_sub_id = avp_named("Subscription-Id")) ||
	    !(d_sub_type = avp_named("Subscription-Id-Type")) || !(d_sub_data = avp_named("Subscription-Id-Data")) ||
	    !(d_msi = avp_named("Multiple-Services-Indicator")) || !(d_mscc = avp_named("Multiple-Services-Credit-Control")) ||
	    !(d_rsu = avp_named("Requested-Service-Unit")) || !(d_usu = avp_named("Used-Service-Unit")) ||
	    !(d_cc_time = avp_named("CC-Time")) || !(d_total = avp_named("CC-Total-Octets")) ||
	    !(d_rating_group = avp_named("Rating-Group")))
		return ENOENT;
	CHECK_FCT(fd_dict_search(fd_g_config->cnf_dict, DICT_COMMAND, CMD_BY_NAME, "Re-Auth-Request", &rar_cmd, ENOENT));
	{
		struct disp_when when;
		memset(&when, 0, sizeof(when));
		when.command = rar_cmd;
		when.app = dcca_app;
		CHECK_FCT(fd_disp_register(on_rar, DISP_HOW_CC, &when, NULL, NULL));
	}
	/* Advertise credit control in our CER, so that the server finds a common application. */
	CHECK_FCT(fd_disp_app_support(dcca_app, NULL, 1, 0));
	CHECK_POSIX(pthread_create(&starter, NULL, start_when_open, NULL));
	return 0;
}

EXTENSION_ENTRY("gy_client", gy_client_init, "dict_dcca_3gpp");
