package tcp

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// TLS mode (Config.TLS). The cluster's CA is derived from its Secret: its
// Ed25519 key comes from HMAC(secret, caLabel) as a seed, and its
// certificate from a fixed template (Ed25519 signatures are deterministic),
// so every holder of the secret has the same CA without any file but the
// secret's. Each Client and Listener makes its own leaf key (crypto/rand)
// and has the CA sign it in memory. Both sides require a certificate from
// that CA (mutual TLS 1.3): a peer with another secret has another CA and
// fails the handshake.
const (
	caLabel    = "faultline tls ca v1"
	serverName = "faultline" // every leaf's DNS name; clients verify it
)

// tlsConfigs builds the server and client TLS configurations of secret.
func tlsConfigs(secret []byte) (server, client *tls.Config, err error) {
	seed := hmac.New(sha256.New, secret)
	seed.Write([]byte(caLabel))
	caKey := ed25519.NewKeyFromSeed(seed.Sum(nil))
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "faultline cluster CA"},
		NotBefore:             epoch,
		NotAfter:              epoch.AddDate(200, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(nil, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: tls ca: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: tls ca: %w", err)
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: tls key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: tls serial: %w", err)
	}
	now := time.Now()
	leafTmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: serverName},
		DNSNames:     []string{serverName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, pub, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: tls leaf: %w", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	server = &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	}
	client = &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		ServerName:   serverName,
	}
	return server, client, nil
}
