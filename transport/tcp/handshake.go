package tcp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
)

// The HMAC handshake. Every message has a fixed size, so a peer can make
// the other side read at most helloSize+proofSize (server) or
// challengeSize+1 (client) bytes before it decides:
//
//	client -> server  hello      magic(4) version(1) mode(1) zero(2) client nonce(32)
//	server -> client  challenge  magic(4) version(1) mode(1) zero(2) server nonce(32)
//	                             HMAC(secret, "server" | hello | server nonce)(32)
//	client -> server  proof      HMAC(secret, "client" | hello | server nonce)(32)
//	server -> client  ack        ackByte(1)
//
// Both sides prove knowledge of the secret over both fresh nonces (from
// crypto/rand), so neither a replayed nor a reflected message passes; the
// labels keep the two proofs distinct. MACs are compared in constant time.
// The server checks the magic byte by byte as it arrives, so junk (an HTTP
// request, a plain frame from a client without the secret) is refused at
// its first wrong byte.
const (
	handshakeVersion = 1
	modeHMAC         = 1
	nonceSize        = 32
	macSize          = sha256.Size
	helloSize        = 8 + nonceSize
	challengeSize    = 8 + nonceSize + macSize
	proofSize        = macSize
	ackByte          = 0x06
)

// handshakeMagic opens every hello and challenge. Its first byte is above
// 0x7f, so it is never the start of a frame of a client without auth
// (whose length prefix is below MaxFrameSize's 2^32), nor of text.
var handshakeMagic = [4]byte{0xf4, 'F', 'L', 'T'}

// ErrAuth reports a failed authentication: the peer did not prove
// knowledge of the secret, or spoke something other than the handshake.
var ErrAuth = errors.New("authentication failed")

// serverHandshake authenticates the client on rw, which the caller bounds
// with a deadline. It returns nil only when the client proved it holds
// secret; any error wraps ErrAuth or is the stream's own.
func serverHandshake(rw io.ReadWriter, secret []byte) error {
	var hello [helloSize]byte
	if err := readHello(rw, &hello); err != nil {
		return err
	}
	var msg [challengeSize]byte
	copy(msg[:8], hello[:8])
	nonce := msg[8 : 8+nonceSize]
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return fmt.Errorf("server nonce: %w", err)
	}
	appendMAC(msg[:8+nonceSize], secret, "server", hello[:], nonce)
	if _, err := rw.Write(msg[:]); err != nil {
		return fmt.Errorf("write challenge: %w", err)
	}
	var proof [proofSize]byte
	if _, err := io.ReadFull(rw, proof[:]); err != nil {
		return fmt.Errorf("%w: reading proof: %w", ErrAuth, err)
	}
	var want [macSize]byte
	appendMAC(want[:0], secret, "client", hello[:], nonce)
	if !hmac.Equal(proof[:], want[:]) {
		return fmt.Errorf("%w: wrong proof", ErrAuth)
	}
	if _, err := rw.Write([]byte{ackByte}); err != nil {
		return fmt.Errorf("write ack: %w", err)
	}
	return nil
}

// readHello reads a client's hello, checking each byte of its fixed head as
// soon as it arrives.
func readHello(r io.Reader, hello *[helloSize]byte) error {
	want := [8]byte{handshakeMagic[0], handshakeMagic[1], handshakeMagic[2], handshakeMagic[3], handshakeVersion, modeHMAC}
	for got := 0; got < helloSize; {
		n, err := r.Read(hello[got:])
		for i := got; i < got+n && i < len(want); i++ {
			if hello[i] != want[i] {
				return fmt.Errorf("%w: byte %d of the hello is %#x, want %#x", ErrAuth, i, hello[i], want[i])
			}
		}
		got += n
		if got < helloSize && err != nil {
			return fmt.Errorf("%w: reading hello (%d of %d bytes): %w", ErrAuth, got, helloSize, err)
		}
	}
	return nil
}

// clientHandshake authenticates to the server on rw, which the caller bounds
// with a deadline, and checks that the server holds secret too.
func clientHandshake(rw io.ReadWriter, secret []byte) error {
	var hello [helloSize]byte
	copy(hello[:], handshakeMagic[:])
	hello[4], hello[5] = handshakeVersion, modeHMAC
	if _, err := io.ReadFull(rand.Reader, hello[8:]); err != nil {
		return fmt.Errorf("client nonce: %w", err)
	}
	if _, err := rw.Write(hello[:]); err != nil {
		return fmt.Errorf("write hello: %w", err)
	}
	var msg [challengeSize]byte
	if _, err := io.ReadFull(rw, msg[:]); err != nil {
		return fmt.Errorf("%w: reading challenge: %w", ErrAuth, err)
	}
	if [8]byte(msg[:8]) != [8]byte(hello[:8]) {
		return fmt.Errorf("%w: the server answered % x, not the handshake", ErrAuth, msg[:8])
	}
	nonce := msg[8 : 8+nonceSize]
	var want [macSize]byte
	appendMAC(want[:0], secret, "server", hello[:], nonce)
	if !hmac.Equal(msg[8+nonceSize:], want[:]) {
		return fmt.Errorf("%w: the server does not hold the secret", ErrAuth)
	}
	var proof [proofSize + 1]byte
	appendMAC(proof[:0], secret, "client", hello[:], nonce)
	if _, err := rw.Write(proof[:proofSize]); err != nil {
		return fmt.Errorf("write proof: %w", err)
	}
	if _, err := io.ReadFull(rw, proof[proofSize:]); err != nil {
		return fmt.Errorf("%w: the server refused our proof: %w", ErrAuth, err)
	}
	if proof[proofSize] != ackByte {
		return fmt.Errorf("%w: ack byte %#x", ErrAuth, proof[proofSize])
	}
	return nil
}

// appendMAC appends HMAC-SHA256(secret, label | hello | nonce) to b.
func appendMAC(b, secret []byte, label string, hello, nonce []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	m.Write(hello)
	m.Write(nonce)
	return m.Sum(b)
}
