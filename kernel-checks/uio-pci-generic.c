/*
 * uio-pci-generic.c: what UIO hands a user-space driver, checked on the in-page kernel.
 * Binds uio_pci_generic to the emulated NE2000 (PCI 10ec:8029) through new_id, then checks
 * the claims of the UIO lesson (drivers/uio/uio.c and drivers/uio/uio_pci_generic.c, Linux
 * 6.12):
 *   - maps: uio_pci_generic exports only memory BARs as maps; the NE2000's only BAR is I/O
 *     ports, so /sys/class/uio/uio0/maps is absent (maps=0) and the ports are reached with
 *     ioperm()/inb()/outb() instead;
 *   - read() of anything but exactly 4 bytes fails with EINVAL; with O_NONBLOCK and no new
 *     interrupt it fails with EAGAIN (uio_read);
 *   - write() fails with ENOSYS: uio_pci_generic has no irqcontrol (uio_write);
 *   - an interrupt from the device makes read() return the running count (1, then 2); the
 *     handler masks INTx with the PCI 2.3 Interrupt Disable bit, and user space unmasks it
 *     by clearing that bit in config space (through sysfs) after acknowledging the device.
 * The interrupt comes from the NE2000 itself: a zero-length "remote DMA" command sets its
 * RDC status bit, which raises INTx when enabled in its interrupt mask.
 *
 * Needs root and the emulated NE2000: it runs in the in-page VM only (not on the host).
 *   i386-linux-musl-gcc -static -Os uio-pci-generic.c -o uio-pci-generic
 *
 * Prints RESULT uio-pci-generic ok|FAIL key=value ... and exits 1 when the kernel disagrees.
 */
// vm: yes
// host: no
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/stat.h>
#include <unistd.h>

#define NE_CR 0x00   /* command register (every page) */
#define NE_RBCR0 0x0a /* remote byte count, page 0 */
#define NE_RBCR1 0x0b
#define NE_ISR 0x07  /* interrupt status, page 0 */
#define NE_IMR 0x0f  /* interrupt mask, page 0 */
#define NE_ISR_RDC 0x40
#define PCI_COMMAND_INTX_DISABLE 0x400

static char dev[300]; /* /sys/bus/pci/devices/<bdf> */

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Finds the NE2000 in sysfs; returns 0 and fills dev[]. */
static int find_ne2000(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char p[400], v[32], id[32];
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "/sys/bus/pci/devices/%s/vendor", e->d_name);
		if (read_text(p, v, sizeof v))
			continue;
		snprintf(p, sizeof p, "/sys/bus/pci/devices/%s/device", e->d_name);
		if (read_text(p, id, sizeof id))
			continue;
		if (!strcmp(v, "0x10ec") && !strcmp(id, "0x8029")) {
			snprintf(dev, sizeof dev, "/sys/bus/pci/devices/%s", e->d_name);
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -1;
}

/* Reads or writes the 16-bit PCI command register through sysfs config. */
static int pci_command(uint16_t *cmd, int write)
{
	char p[400];
	snprintf(p, sizeof p, "%s/config", dev);
	int fd = open(p, write ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write ? pwrite(fd, cmd, 2, 4) : pread(fd, cmd, 2, 4);
	close(fd);
	return n == 2 ? 0 : -1;
}

/* Waits up to timeout_ms for a new interrupt count; returns it, or -1 on timeout. */
static int32_t wait_count(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int32_t count;
	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	if (read(fd, &count, sizeof count) != sizeof count)
		return -1;
	return count;
}

static void fail(const char *what)
{
	printf("RESULT uio-pci-generic FAIL %s errno=%s\n", what, strerror(errno));
	exit(1);
}

int main(void)
{
	if (find_ne2000())
		fail("step=find-ne2000");
	if (access("/dev/uio0", F_OK) != 0) {
		/* uio_pci_generic has no id table: give it the device's id (EEXIST if already known). */
		if (write_text("/sys/bus/pci/drivers/uio_pci_generic/new_id", "10ec 8029") && errno != EEXIST)
			fail("step=new_id");
		for (int i = 0; i < 200 && access("/dev/uio0", F_OK) != 0; i++)
			usleep(10000);
	}
	char name[64] = "", version[64] = "", irq[32] = "", res[128] = "";
	if (read_text("/sys/class/uio/uio0/name", name, sizeof name))
		fail("step=bind");
	read_text("/sys/class/uio/uio0/version", version, sizeof version);
	char p[400];
	snprintf(p, sizeof p, "%s/irq", dev);
	read_text(p, irq, sizeof irq);
	snprintf(p, sizeof p, "%s/resource", dev);
	read_text(p, res, sizeof res); /* first line: BAR 0 "start end flags" */
	unsigned long long start = 0, end = 0, flags = 0;
	sscanf(res, "%llx %llx %llx", &start, &end, &flags);
	int maps = 0;
	DIR *md = opendir("/sys/class/uio/uio0/maps");
	if (md) {
		struct dirent *e;
		while ((e = readdir(md)))
			maps += e->d_name[0] != '.';
		closedir(md);
	}
	int bar_is_io = (flags & 0x100) != 0; /* IORESOURCE_IO */

	int fd = open("/dev/uio0", O_RDWR | O_NONBLOCK);
	if (fd < 0)
		fail("step=open");
	char eight[8];
	int32_t one = 1, count;
	errno = 0;
	int read8 = read(fd, eight, 8) < 0 ? errno : 0;
	errno = 0;
	int read4 = read(fd, &count, 4) < 0 ? errno : 0;
	errno = 0;
	int write4 = write(fd, &one, 4) < 0 ? errno : 0;

	/* Interrupts: program the NE2000 through its I/O ports. */
	unsigned base = (unsigned)start;
	if (!bar_is_io || ioperm(base, 32, 1))
		fail("step=ioperm");
	outb(0x21, base + NE_CR);     /* page 0, stop, no remote DMA */
	outb(0xff, base + NE_ISR);    /* clear every status bit */
	outb(NE_ISR_RDC, base + NE_IMR); /* interrupt on "remote DMA complete" only */
	int32_t counts[2] = { -1, -1 };
	int unmasked = 0;
	for (int k = 0; k < 2; k++) {
		outb(0, base + NE_RBCR0);
		outb(0, base + NE_RBCR1);
		outb(0x0a, base + NE_CR); /* start + remote read of 0 bytes: RDC at once */
		counts[k] = wait_count(fd, 3000);
		if (counts[k] < 0)
			break;
		outb(NE_ISR_RDC, base + NE_ISR); /* acknowledge at the device: the line drops */
		uint16_t cmd;
		if (pci_command(&cmd, 0) == 0) {
			unmasked += (cmd & PCI_COMMAND_INTX_DISABLE) != 0; /* the handler masked it */
			cmd &= ~PCI_COMMAND_INTX_DISABLE;
			pci_command(&cmd, 1);
		}
	}
	outb(0, base + NE_IMR);
	outb(0xff, base + NE_ISR);
	close(fd);

	int ok = !strcmp(name, "uio_pci_generic") && maps == 0 && bar_is_io && read8 == EINVAL && read4 == EAGAIN &&
		 write4 == ENOSYS && counts[0] >= 1 && counts[1] == counts[0] + 1 && unmasked == 2;
	char c0[16], c1[16];
	snprintf(c0, sizeof c0, counts[0] < 0 ? "timeout" : "%d", counts[0]);
	snprintf(c1, sizeof c1, counts[1] < 0 ? "timeout" : "%d", counts[1]);
	printf("RESULT uio-pci-generic %s name=%s version=%s irq=%s bar0=io:0x%llx-0x%llx maps=%d "
	       "read8=%s read4_nonblock=%s write=%s irq_counts=%s,%s intx_masked_by_handler=%d\n",
	       ok ? "ok" : "FAIL", name, version, irq, start, end, maps, read8 == EINVAL ? "EINVAL" : strerror(read8),
	       read4 == EAGAIN ? "EAGAIN" : strerror(read4), write4 == ENOSYS ? "ENOSYS" : strerror(write4), c0, c1,
	       unmasked);
	return ok ? 0 : 1;
}
