/* serial.c: the 16550A register model (see serial.h). Pure. */
#include "vmm/serial.h"

#include <string.h>

void serial_init(struct serial *s)
{
	memset(s, 0, sizeof(*s));
	s->mcr = UART_MCR_OUT2;
	s->dll = 12; /* 9600 baud, the power-on default of many BIOSes */
}

static bool rx_visible(const struct serial *s)
{
	return s->rx_count > 0 && (s->ier & UART_IER_RDI);
}

static uint8_t iir(const struct serial *s)
{
	uint8_t fifo = (s->fcr & UART_FCR_ENABLE_FIFO) ? UART_IIR_FIFO : 0;

	if (rx_visible(s))
		return fifo | UART_IIR_RDI;
	if (s->ier & UART_IER_THRI)
		return fifo | UART_IIR_THRI; /* THR is always empty */
	return fifo | UART_IIR_NO_INT;
}

bool serial_irq_level(const struct serial *s)
{
	/* Not gated by MCR.OUT2 as on a PC: kvmtool does not either, and a driver
	 * that forgot OUT2 would otherwise stall its output forever. */
	return !(iir(s) & UART_IIR_NO_INT);
}

static uint8_t rx_pop(struct serial *s)
{
	uint8_t c = s->rx[s->rx_head];

	s->rx_head = (s->rx_head + 1) % SERIAL_RX_SIZE;
	s->rx_count--;
	return c;
}

size_t serial_rx_space(const struct serial *s)
{
	return SERIAL_RX_SIZE - s->rx_count;
}

size_t serial_rx_push(struct serial *s, const uint8_t *bytes, size_t n)
{
	size_t i;

	for (i = 0; i < n && s->rx_count < SERIAL_RX_SIZE; i++) {
		s->rx[(s->rx_head + s->rx_count) % SERIAL_RX_SIZE] = bytes[i];
		s->rx_count++;
	}
	return i;
}

static void out_byte(struct serial *s, uint8_t c)
{
	s->out[s->out_len++] = c;
	if (c == '\n' || s->out_len == SERIAL_OUT_SIZE)
		s->out_flush = true;
}

uint8_t serial_read(struct serial *s, unsigned offset)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_RX:
		if (dlab)
			return s->dll;
		return rx_visible(s) || ((s->mcr & UART_MCR_LOOP) && s->rx_count) ? rx_pop(s) : 0;
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		return iir(s);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (rx_visible(s) || ((s->mcr & UART_MCR_LOOP) && s->rx_count) ? UART_LSR_DR : 0);
	case UART_MSR:
		if (s->mcr & UART_MCR_LOOP) {
			/* Loopback wires the modem outputs to the inputs (16550D, MCR bit 4). */
			uint8_t m = 0;
			if (s->mcr & UART_MCR_DTR) m |= UART_MSR_DSR;
			if (s->mcr & UART_MCR_RTS) m |= UART_MSR_CTS;
			if (s->mcr & UART_MCR_OUT1) m |= UART_MSR_RI;
			if (s->mcr & UART_MCR_OUT2) m |= UART_MSR_DCD;
			return m;
		}
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	case UART_SCR:
		return s->scr;
	default:
		return 0xff;
	}
}

void serial_write(struct serial *s, unsigned offset, uint8_t value)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_TX:
		if (dlab)
			s->dll = value;
		else if (s->mcr & UART_MCR_LOOP)
			serial_rx_push(s, &value, 1);
		else
			out_byte(s, value);
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = value;
		} else {
			s->ier = value & 0x0f;
			if (s->out_len)
				s->out_flush = true; /* the driver started or ended a batch */
		}
		break;
	case UART_FCR:
		s->fcr = value & (uint8_t)~0x06; /* the clear bits self-reset; input is kept */
		break;
	case UART_LCR:
		s->lcr = value;
		break;
	case UART_MCR:
		s->mcr = value & 0x1f;
		break;
	case UART_SCR:
		s->scr = value;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
}
