package web

import (
	"crypto/subtle"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// ParseEmbedOrigins reads --embed-origins: a comma-separated list of origins
// (scheme://host[:port], http or https, nothing after the host).
func ParseEmbedOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
			strings.ContainsAny(u.Host, ` ;,'"\\`) {
			return nil, fmt.Errorf("embed origin %q: want scheme://host[:port], e.g. https://course.example.edu", o)
		}
		out = append(out, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	return out, nil
}

// contentSecurityPolicy is what the page needs: its own scripts, styles (and style
// attributes, which the live view sets), images, and fetches and websockets to itself.
func (s *Server) contentSecurityPolicy(host string) string {
	connect := "'self'"
	if hostHeaderOK(host) {
		connect += " ws://" + host + " wss://" + host // for browsers whose 'self' omits ws:
	}
	ancestors := "'self'"
	for _, o := range s.opts.EmbedOrigins {
		ancestors += " " + o
	}
	return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"connect-src " + connect + "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + ancestors
}

func hostHeaderOK(host string) bool {
	if host == "" {
		return false
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-:[]", r)) {
			return false
		}
	}
	return true
}

// secureHeaders sets the security headers on every response.
func (s *Server) secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", s.contentSecurityPolicy(c.Request().Host))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if len(s.opts.EmbedOrigins) == 0 {
			h.Set("X-Frame-Options", "SAMEORIGIN") // for browsers without frame-ancestors
		}
		return next(c)
	}
}

// hostAllowed checks the Host header against the names the lab is reached by (DNS
// rebinding): on loopback, loopback addresses and localhost; otherwise also the address it
// listens on (any IP address when it listens on all of them), its name when --addr named one,
// and the --host names.
func (s *Server) hostAllowed(hostport string) bool {
	if loopbackHost(hostport) {
		return true
	}
	if s.loopback {
		return false
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	bound, _, _ := net.SplitHostPort(s.opts.Addr)
	bound = strings.ToLower(strings.Trim(bound, "[]"))
	if ip := net.ParseIP(host); ip != nil {
		bip := net.ParseIP(bound)
		return bound == "" || (bip != nil && (bip.IsUnspecified() || bip.Equal(ip)))
	}
	if host != "" && host == bound {
		return true
	}
	for _, h := range s.opts.Hosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// hasToken: the request carries room r's token (or r needs none).
func (s *Server) hasToken(c echo.Context, r *Room) bool {
	if r.Token == "" {
		return true
	}
	t := tokenOf(c, r.Name)
	return subtle.ConstantTimeCompare([]byte(t), []byte(r.Token)) == 1
}

// canRead: on a non-loopback address, views, trees and event streams need the room's token,
// like commands; on loopback anyone may watch.
func (s *Server) canRead(c echo.Context, r *Room) bool {
	return s.loopback || s.hasToken(c, r) || r.studentOf(c) != nil
}

// readable guards a room's read routes (views, trees, the websocket).
func (s *Server) readable(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, err := s.roomOf(c)
		if err != nil {
			return err
		}
		if !s.canRead(c, r) {
			return tokenError(c, r, "watching")
		}
		return next(c)
	}
}

// tokenError is 401 without a token, 403 with a wrong one.
func tokenError(c echo.Context, r *Room, what string) error {
	if tokenOf(c, r.Name) == "" {
		return errStatus(http.StatusUnauthorized, "token_required", "room %q needs its token for %s: open the link with ?token= that zablab printed (or that created the room), or send the token as X-Zablab-Token", r.Name, what)
	}
	return errStatus(http.StatusForbidden, "bad_token", "wrong token for room %q", r.Name)
}

// tokenPage answers a page request that lacks the room's token, in English and Chinese.
func tokenPage(c echo.Context, r *Room) error {
	code := http.StatusUnauthorized
	if tokenOf(c, r.Name) != "" {
		code = http.StatusForbidden
	}
	room := html.EscapeString(r.Name)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTML(code, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>zablab</title></head><body>`+
		`<p>Room <b>`+room+`</b> needs its token. Open the link with <code>?token=</code> that <code>zablab serve</code> printed, or that created the room.</p>`+
		`<p lang="zh-CN">房间 <b>`+room+`</b> 需要令牌。请打开 <code>zablab serve</code> 打印的（或创建该房间时得到的）带 <code>?token=</code> 的链接。</p></body></html>`)
}
