package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client reads orders through the WooCommerce REST API v3 with a consumer
// key and secret (WooCommerce → Settings → Advanced → REST API, read
// access is enough). The key goes as HTTP Basic auth, which WooCommerce
// accepts only over https; a Client refuses plain http except to loopback
// hosts (tests, a shop on the same machine). Over such plain http
// WooCommerce refuses consumer keys as Basic auth (it wants OAuth 1.0a
// signatures there, 401 woocommerce_rest_cannot_view): give a WordPress user
// name and one of its application passwords as ConsumerKey and
// ConsumerSecret instead, which WordPress accepts over http when its
// environment type is "local" (e2e/run.sh does; TestLiveShop).
type Client struct {
	// BaseURL is the WordPress site: "https://shop.example".
	BaseURL        string
	ConsumerKey    string
	ConsumerSecret string
	// HTTP sends the requests; nil means a client with a 15 s timeout.
	HTTP *http.Client
}

// APIError is a WooCommerce REST error answer:
// {"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("woocommerce: REST API answered %d %s: %s", e.Status, e.Code, e.Message)
}

// ErrNotFound matches an APIError with status 404.
var ErrNotFound = errors.New("woocommerce: not found")

// Is makes errors.Is(err, ErrNotFound) true for a 404.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.Status == http.StatusNotFound
}

// Order reads GET /wp-json/wc/v3/orders/{id}.
func (c *Client) Order(ctx context.Context, id int64) (*Order, error) {
	b, err := c.get(ctx, "/wp-json/wc/v3/orders/"+strconv.FormatInt(id, 10))
	if err != nil {
		return nil, err
	}
	return ParseOrder(b)
}

const maxAnswer = 4 << 20

func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	base, err := url.Parse(strings.TrimRight(c.BaseURL, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("woocommerce: base URL %q is not absolute", c.BaseURL)
	}
	if base.Scheme != "https" && !(base.Scheme == "http" && isLoopback(base.Hostname())) {
		return nil, fmt.Errorf("woocommerce: the REST API key goes only over https, not to %s", base.Redacted())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+path, nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(c.ConsumerKey, c.ConsumerSecret)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "frontgate-woocommerce/1")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	// Redirects are not followed, the given client's included: Go keeps
	// the Authorization header on a redirect to the same host, also from
	// https to plain http, which would send the key in the clear.
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Do(req)
	if err != nil {
		return nil, fmt.Errorf("woocommerce: GET %s: %w", path, unwrapURL(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("woocommerce: GET %s: reading the answer: %w", path, err)
	}
	if len(b) > maxAnswer {
		return nil, fmt.Errorf("woocommerce: GET %s: answer larger than %d bytes", path, maxAnswer)
	}
	if resp.StatusCode != http.StatusOK {
		e := &APIError{Status: resp.StatusCode}
		var body struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &body) == nil {
			e.Code, e.Message = body.Code, body.Message
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		return nil, e
	}
	return b, nil
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Reconcile reads an order back and reports whether it reflects the
// reservation's status under m (see StatusMap.Reflects). A reconciler calls
// it for reservations whose events were given up or are in doubt, and
// re-sends the event when it reports false.
func (c *Client) Reconcile(ctx context.Context, m StatusMap, orderID int64, status string) (bool, *Order, error) {
	o, err := c.Order(ctx, orderID)
	if err != nil {
		return false, nil, err
	}
	return m.Reflects(o, status), o, nil
}
