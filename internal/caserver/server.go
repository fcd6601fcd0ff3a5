// Package caserver runs the CA service as a network server: HTTPS with a
// certificate its own CA issues on first start, the server's timeouts,
// the background refresh of CRLs and OCSP answers, and graceful shutdown.
package caserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/confcert/confcert/internal/caapi"
	"github.com/confcert/confcert/internal/caservice"
)

// The server's timeouts: headers must arrive within 10 s (slowloris), a
// whole request within 30 s, an answer within 60 s; idle keep-alive
// connections close after 2 minutes.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 30 * time.Second
	maxHeaderBytes    = 64 << 10
	// RefreshInterval is how often OCSP answers and CRLs are checked for
	// renewal and revocations made by other instances picked up.
	RefreshInterval = time.Minute
)

// Options configure Serve.
type Options struct {
	// Listener is where to serve (already bound, so its address is known).
	Listener net.Listener
	// TLS is the server's certificate; nil serves plain HTTP (only
	// allowed on loopback, checked by the caller).
	TLS *tls.Certificate
	// Revocation, when set, is a second listener serving only the CRL, OCSP
	// and the CA certificate over plain HTTP (caapi.RevocationHandler).
	Revocation net.Listener
	// Log receives errors of the background work.
	Log *slog.Logger
	// Refresh overrides RefreshInterval (tests).
	Refresh time.Duration
}

// Serve serves api until ctx ends, then stops accepting, lets requests in
// flight finish (up to 30 s) and returns. svc's answers are refreshed in
// the background meanwhile.
func Serve(ctx context.Context, svc *caservice.Service, api *caapi.API, o Options) error {
	srv := newServer(api.Handler(), o.Log)
	ln := o.Listener
	if o.TLS != nil {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*o.TLS}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	refresh := o.Refresh
	if refresh == 0 {
		refresh = RefreshInterval
	}
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	bgDone := make(chan struct{})
	go func() {
		defer close(bgDone)
		svc.Run(bg, refresh, func(err error) { o.Log.Error("refreshing answers", "err", err) })
	}()
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if o.Revocation != nil {
		rev := newServer(api.RevocationHandler(), o.Log)
		servers = append(servers, rev)
		go func() { errc <- rev.Serve(o.Revocation) }()
	}
	select {
	case err := <-errc:
		stopBG()
		<-bgDone
		shutdown(servers)
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	stopBG()
	<-bgDone // the store stays open until the refresh has stopped
	if err := shutdown(servers); err != nil {
		return err
	}
	for range servers {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

func newServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// shutdown stops accepting on every server and lets requests in flight
// finish, at most shutdownTimeout in all.
func shutdown(servers []*http.Server) error {
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("shutting down: %w", err))
		}
	}
	return errors.Join(errs...)
}
