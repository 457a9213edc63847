/*
 * classify.h - which decoder follows a flow.
 *
 * nDPI (Debian 12's 4.2) sees each new flow's first packets and its verdict
 * chooses the decoder, whatever the ports.  Where nDPI gives no verdict (a
 * mid-session start, one direction only, too few packets), the content of
 * the first bytes decides through each decoder's probe (a greeting, a first
 * command); ports are hints used only when the content is not conclusive.
 * classify.c is the one file that includes nDPI headers.
 */
#ifndef CREDLEAK_CLASSIFY_H
#define CREDLEAK_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/packet.h"
#include "decoder.h"

enum cls_verdict {
	CLS_WAIT = 0,	/* not enough bytes yet */
	CLS_NONE,	/* no decoder wants this flow */
	CLS_DECODER	/* *dec follows it */
};

struct cls_input {
	const uint8_t	*first[2];	/* contiguous first bytes per direction (enum dir) */
	size_t		 len[2];
	enum dir	 first_dir;	/* the side that spoke first */
	bool		 midstream;	/* handshake not seen: roles are a guess */
	uint16_t	 cli_port, srv_port;
	unsigned	 packets;	/* payload packets seen so far */
	bool		 force;		/* the flow ends: decide with what there is */
};

/*
 * Decide.  On CLS_DECODER, *swap is true when the content shows the roles
 * were guessed the wrong way round (mid-session pickup), and *sure is true
 * when a probe recognised the bytes (a greeting, a command) rather than a
 * port hint settling what the bytes left open.
 */
enum cls_verdict classify(const struct cls_input *in, const struct decoder **dec,
    bool *swap, bool *sure);

/* The nDPI detection module, one per flow table. */
struct cls_engine;

struct cls_engine *cls_engine_new(void);
void cls_engine_free(struct cls_engine *e);

/* Bytes of nDPI state per flow under classification (for memory accounting). */
size_t cls_flow_size(void);

/* nDPI state for a flow (from a small pool); NULL if none could be had. */
void *cls_flow_new(struct cls_engine *e);
void cls_flow_free(struct cls_engine *e, void *nf);

enum cls_ndpi {
	NDPI_PENDING = 0,	/* no verdict yet */
	NDPI_DECODER,		/* a protocol we decode: *dec */
	NDPI_OTHER		/* a protocol we do not decode (TLS, SSH, Redis, ...) */
};

/* One packet of a flow still being classified. */
enum cls_ndpi cls_ndpi_packet(struct cls_engine *e, void *nf, const struct pkt *p,
    const struct decoder **dec);

/*
 * Whether the bytes contradict a verdict: dec's probe says NO to every
 * direction that has bytes (nDPI can mistake a mid-session SMTP AUTH line
 * for FTP).
 */
bool classify_denies(const struct decoder *dec, const struct cls_input *in);

/* Whether some decoder lists this port as a hint (for guessing roles). */
bool classify_port_hint(uint16_t port);

#endif /* CREDLEAK_CLASSIFY_H */
