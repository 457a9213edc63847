/*
 * aggregate.h - what the sink makes of findings beyond writing each one:
 * aggregation of repeated findings, per-server posture, the --report text
 * and the relay judgement of unauthenticated_mail_accepted (aggregate.c).
 *
 * The sink (json.c) owns one struct agg and calls it with every finding;
 * main.c configures it and ends the run.  Every table here is capped; what
 * a cap turns away costs a counter, written in the stats events.
 */
#ifndef CREDLEAK_AGGREGATE_H
#define CREDLEAK_AGGREGATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json.h>

#include "alert.h"

#define AGG_LIVE_WINDOW_S	3600	/* --aggregate-window, live default */
#define AGG_POSTURE_S		3600	/* --posture-interval, live default */
#define AGG_MAX_KEYS		65536	/* distinct findings held for a summary */
#define AGG_MAX_SERVERS		4096	/* servers in the posture table */

struct agg_opts {
	bool		 aggregate;	/* false: --no-aggregate */
	bool		 per_server_only; /* fold only cleartext_auth_offered and starttls_not_offered */
	uint64_t	 window_us;	/* 0: the whole run (offline default) */
	uint64_t	 posture_us;	/* live: posture events this often; 0: at the end only */
	bool		 posture;	/* posture events at all */
	bool		 mask;		/* --mask-usernames: the report's names too */
	const char	*home_net;	/* --home-net "CIDR,..." or NULL */
	const char	*local_domains;	/* --local-domains "D,..." or NULL */
	size_t		 max_keys;	/* 0: AGG_MAX_KEYS */
	size_t		 max_servers;	/* 0: AGG_MAX_SERVERS */
};

struct agg;

/* NULL with a reason in err when --home-net or --local-domains is wrong. */
struct agg *agg_new(const struct agg_opts *o, char *err, size_t errlen);

/* The sink takes a and frees it with itself (json.c). */
void alert_sink_set_agg(struct alert_sink *s, struct agg *a);
struct agg *alert_sink_agg(struct alert_sink *s);
void agg_free(struct agg *a);

/*
 * json.c, for every finding: posture first (every finding counts), then
 * whether the line o (the finding as written, may be NULL when nothing is
 * written) goes out now (true) or is folded into a later summary (false).
 */
void agg_posture(struct agg *a, const struct flow_info *fi, uint64_t ts_us,
    const struct finding *f);
bool agg_first(struct agg *a, struct alert_sink *s, const struct flow_info *fi,
    uint64_t ts_us, const struct finding *f, json_object *o, const char *sev);

/* Live, now and then (wall clock): close windows, write posture when due. */
void agg_tick(struct agg *a, struct alert_sink *s, uint64_t now_us);

/*
 * End of the run: the summaries still open, then one posture event per
 * server (when posture is on).  Called once; later calls do nothing.
 */
void agg_end(struct agg *a, struct alert_sink *s);

/* --report: servers worst first, in words, to fp.  No secret, ever. */
void agg_report(struct agg *a, FILE *fp);

/* The counters, as objects of a stats event (json.c). */
void agg_stats_json(struct agg *a, json_object *o);

/*
 * The relay judgement of an unauthenticated_mail_accepted finding: its
 * "relay" object and its severity.  a may be NULL (no options: what the
 * session shows).
 */
json_object *agg_relay_json(const struct agg *a, const struct flow_info *fi,
    const struct finding *f);
const char *agg_relay_severity(const struct agg *a, const struct flow_info *fi,
    const struct finding *f);

/* json.c: a username as the alerts print it (sanitised, masked if asked). */
size_t alert_username_text(bool mask, const uint8_t *u, size_t n, char *buf,
    size_t buflen);
/* json.c: the sink's sensor name. */
const char *alert_sink_sensor(const struct alert_sink *s);

#endif /* CREDLEAK_AGGREGATE_H */
