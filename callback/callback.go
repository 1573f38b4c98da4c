// Package callback sends a run's final state to the URL its client gave
// (the Judge0 API's callback_url), and guards the service against being
// turned into a proxy into its own network: a URL whose host is, or
// resolves to, a loopback, private, link-local, shared, multicast or
// otherwise special address (the cloud metadata service at 169.254.169.254
// among them) is refused when the run is submitted, and again when the
// connection is made (a name may resolve differently the second time),
// unless an operator allow-listed the address. Judge0 CE shipped exactly
// this hole as CVE-2024-29021.
package callback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbidden is returned (wrapped) for a URL or address a callback may
// not reach.
var ErrForbidden = errors.New("callback address not allowed")

// MaxURLBytes bounds a callback URL.
const MaxURLBytes = 2048

// special are the address ranges a callback never reaches unless allowed:
// beyond what netip classifies (loopback, private, link-local, multicast,
// unspecified), "this network", shared address space (CGNAT), the IETF
// protocol assignments, the documentation and benchmarking ranges,
// reserved space and broadcast, NAT64 and 6to4 forms of them.
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("100::/64"),
}

// Guard decides which addresses callbacks may reach.
type Guard struct {
	allow []netip.Prefix
}

// NewGuard returns a guard that allows, beyond public addresses, the
// addresses of allow: IP addresses or CIDR prefixes ("127.0.0.1",
// "10.1.0.0/16"), for callbacks into the operator's own network.
func NewGuard(allow []string) (*Guard, error) {
	g := &Guard{}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		p, err := netip.ParsePrefix(a)
		if err != nil {
			ip, ierr := netip.ParseAddr(a)
			if ierr != nil {
				return nil, fmt.Errorf("callback allow-list entry %q is neither an IP address nor a CIDR prefix", a)
			}
			p = netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())
		}
		g.allow = append(g.allow, p.Masked())
	}
	return g, nil
}

// Allowed reports whether a callback may connect to ip.
func (g *Guard) Allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range g.allow {
		if p.Contains(ip) {
			return true
		}
	}
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	if ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return false
	}
	for _, p := range special {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Check validates a callback URL when a run is submitted: http or https, a
// host, no credentials, and a host that is not, and does not resolve to, an
// address the guard refuses. A name that does not resolve now passes: the
// connection is checked again when the callback is sent.
func (g *Guard) Check(ctx context.Context, raw string) error {
	if len(raw) > MaxURLBytes {
		return fmt.Errorf("callback_url is %d bytes, at most %d allowed", len(raw), MaxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("callback_url must be an absolute http or https URL")
	}
	if u.User != nil {
		return fmt.Errorf("callback_url must not carry credentials")
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !g.Allowed(ip) {
			return fmt.Errorf("%w: %s is a loopback, private, link-local or otherwise internal address", ErrForbidden, host)
		}
		return nil
	}
	lower := strings.ToLower(strings.TrimSuffix(host, "."))
	if lower == "localhost" || strings.HasSuffix(lower, ".localhost") || lower == "metadata.google.internal" {
		if !g.Allowed(netip.MustParseAddr("127.0.0.1")) || lower == "metadata.google.internal" {
			return fmt.Errorf("%w: %s names this machine or its cloud's metadata service", ErrForbidden, host)
		}
		return nil
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(rctx, "ip", host)
	if err != nil {
		return nil // checked again on connect
	}
	for _, ip := range ips {
		if !g.Allowed(ip) {
			return fmt.Errorf("%w: %s resolves to %s, an internal address", ErrForbidden, host, ip)
		}
	}
	return nil
}

// control refuses a connection to an address the guard refuses: it runs
// after the name was resolved, on the address actually dialled.
func (g *Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbidden, address)
	}
	if !g.Allowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbidden, ap.Addr())
	}
	return nil
}

// Sender sends callbacks over HTTP through the guard, with retries.
type Sender struct {
	client   *http.Client
	attempts int
	backoff  time.Duration
	log      *slog.Logger
}

// SenderConfig: each attempt times out after Timeout; Attempts in all,
// Backoff before the second and doubling after.
type SenderConfig struct {
	Timeout  time.Duration
	Attempts int
	Backoff  time.Duration
}

// DefaultSenderConfig is 10 s per attempt, 3 attempts, 1 s then 2 s apart.
func DefaultSenderConfig() SenderConfig {
	return SenderConfig{Timeout: 10 * time.Second, Attempts: 3, Backoff: time.Second}
}

// NewSender returns a sender whose every connection g checks. Redirects
// are not followed: a receiver answers where it was asked.
func NewSender(g *Guard, cfg SenderConfig, log *slog.Logger) *Sender {
	d := &net.Dialer{Timeout: cfg.Timeout, Control: g.control}
	tr := &http.Transport{DialContext: d.DialContext, Proxy: nil, TLSHandshakeTimeout: cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}
	return &Sender{
		client: &http.Client{Transport: tr, Timeout: cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		attempts: max(cfg.Attempts, 1), backoff: cfg.Backoff, log: log,
	}
}

// Send PUTs body (JSON) to rawURL, as Judge0 does, until a 2xx answer or
// the attempts run out; a refused address or a 4xx answer other than 408
// and 429 is not tried again. It returns the last error.
func (s *Sender) Send(ctx context.Context, rawURL string, body []byte) error {
	wait := s.backoff
	var err error
	for attempt := 1; attempt <= s.attempts; attempt++ {
		var retry bool
		if retry, err = s.try(ctx, rawURL, body); err == nil || !retry || attempt == s.attempts {
			return err
		}
		s.log.Info("callback failed; trying again", "url", rawURL, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
	return err
}

// try makes one attempt; retry says whether another may succeed.
func (s *Sender) try(ctx context.Context, rawURL string, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, rawURL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("callback request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "codementor-callback/1")
	resp, err := s.client.Do(req)
	if err != nil {
		return !errors.Is(err, ErrForbidden), fmt.Errorf("callback: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return false, nil
	}
	retry = resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests
	return retry, fmt.Errorf("callback: %s answered %s", rawURL, resp.Status)
}
