/* pcap_floor.c - the floor of any capture reader: libpcap's read loop and nothing else. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned long long packets = 0, bytes = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_floor FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcap_floor: %s\n", err);
		return 2;
	}
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->len;
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "pcap_floor: %s\n", pcap_geterr(p));
	printf("packets=%llu bytes=%llu\n", packets, bytes);
	pcap_close(p);
	return 0;
}
