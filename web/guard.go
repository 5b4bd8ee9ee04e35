package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// The server's trust boundary. A page of another site the user visits, or
// a name of the attacker's that resolves to this machine (DNS rebinding),
// must neither read the runs nor start one:
//   - every request's Host must be an IP address, localhost, or a name
//     given by Options.Hosts: a rebound name is refused before any page;
//   - a request that changes state (POST) must come from this server's own
//     page: its Origin, when the browser sends one, is this Host, and it
//     carries the server's token, which only its pages hold.

// hostAllowed reports whether a request's Host header names this server.
func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i] // host:port; an IPv6 address has its brackets
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	if _, err := netip.ParseAddr(host); err == nil || host == "localhost" {
		return true
	}
	return slices.Contains(s.opt.Hosts, host)
}

// sameOrigin reports whether a state-changing request comes from a page of
// this server: the Origin header, if any, names the request's own Host,
// and the fetch metadata, if any, does not say cross-site.
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host || (u.Scheme != "http" && u.Scheme != "https") {
			return false
		}
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

// tokenOK reports whether a form carries the server's token.
func (s *Server) tokenOK(r *http.Request) bool {
	return subtle.ConstantTimeCompare([]byte(r.PostForm.Get("token")), []byte(s.token)) == 1
}

var errForeign = errors.New("refused: this request does not come from this server's own page (a cross-site request, or a stale page: reload it)")
