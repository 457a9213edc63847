/*
 * floor.c - the libpcap read floor: open each capture, pcap_next_ex() to
 * the end, count packets and bytes.  No parsing: whatever credleak does on
 * top of this is its own cost.
 *
 *   floor FILE...
 *
 * Prints one line: packets, captured bytes, seconds, and the rates.
 * Exit status 0, or 2 when a file could not be read to its end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <pcap/pcap.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	double t0, secs;
	int i, rc, status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: floor FILE...\n");
		return 1;
	}
	t0 = now_s();
	for (i = 1; i < argc; i++) {
		pcap_t *pc = pcap_open_offline(argv[i], errbuf);

		if (pc == NULL) {
			fprintf(stderr, "floor: %s: %s\n", argv[i], errbuf);
			status = 2;
			continue;
		}
		while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
			packets++;
			bytes += h->caplen;
		}
		if (rc != PCAP_ERROR_BREAK) {
			fprintf(stderr, "floor: %s: %s\n", argv[i], pcap_geterr(pc));
			status = 2;
		}
		pcap_close(pc);
	}
	secs = now_s() - t0;
	printf("floor: %" PRIu64 " packets, %" PRIu64 " bytes, %.3f s, "
	    "%.2f Gbit/s, %.3f Mpackets/s\n", packets, bytes, secs,
	    secs > 0 ? (double)bytes * 8 / secs / 1e9 : 0.0,
	    secs > 0 ? (double)packets / secs / 1e6 : 0.0);
	return status;
}
