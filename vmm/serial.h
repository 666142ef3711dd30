/*
 * serial.h: a 16550A UART's registers as a pure state machine (after
 * kvmtool's hw/serial.c). Transmission is instant (THR is always empty
 * again after a write); bytes written go to an output buffer the caller
 * drains; received bytes come from a bounded input ring the caller fills.
 *
 * Received data is held back (LSR.DR reads 0, RBR reads do not consume)
 * while the guest has the receive interrupt (IER.RDI) off, so input typed
 * before the guest's driver listens is not eaten by its probe and FIFO
 * clearing; it arrives once a program opens the console.
 *
 * Spec: National Semiconductor PC16550D data sheet; Linux include/uapi/
 * linux/serial_reg.h names the bits.
 */
#ifndef ISOLAB_VMM_SERIAL_H
#define ISOLAB_VMM_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ  4
#define SERIAL_NPORTS    8

/* Register offsets and bits (serial_reg.h). */
#define UART_RX  0
#define UART_TX  0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7
#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI  0x08
#define UART_IIR_NO_INT 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI  0x04
#define UART_IIR_FIFO 0xc0
#define UART_FCR_ENABLE_FIFO 0x01
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80

#define SERIAL_RX_SIZE  1024  /* bound on input held for the guest */
#define SERIAL_OUT_SIZE 256   /* output batched before one write(2) */

struct serial {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t rx[SERIAL_RX_SIZE];
	size_t rx_head, rx_count;
	uint8_t out[SERIAL_OUT_SIZE];
	size_t out_len;
	bool out_flush;   /* set when out should be written now (newline, full, IER change) */
};

void serial_init(struct serial *s);
uint8_t serial_read(struct serial *s, unsigned offset);
void serial_write(struct serial *s, unsigned offset, uint8_t value);
/* The level of the UART's interrupt line after the last access. */
bool serial_irq_level(const struct serial *s);
/* Queues up to n input bytes; returns how many fit. */
size_t serial_rx_push(struct serial *s, const uint8_t *bytes, size_t n);
size_t serial_rx_space(const struct serial *s);

#endif
