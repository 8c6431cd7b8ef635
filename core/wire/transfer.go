package wire

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Presigned URLs (a context's files) carry their own credentials: these
// requests send no Authorization and go through the same transport (and
// trusted roots) as the actions, without retries (a body read from a file
// cannot be sent twice) and without following redirects.

// Put sends size bytes of body to a presigned URL (with contentType, if
// not "") and returns the HTTP status and ETag of the reply.
func (c *Client) Put(ctx context.Context, url string, body io.Reader, size int64, contentType string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, body)
	if err != nil {
		return 0, "", Errorf(KindInvalidArgument, "invalid presigned URL: %v", err)
	}
	req.ContentLength = size
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.GetClient().Do(req)
	if err != nil {
		return 0, "", transferError(ctx, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, "", &Error{Kind: kindOfStatus(resp.StatusCode), HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the upload URL answered HTTP %d", resp.StatusCode)}
	}
	return resp.StatusCode, resp.Header.Get("ETag"), nil
}

// Get copies what a presigned URL returns into w; it returns the HTTP
// status and the bytes written.
func (c *Client) Get(ctx context.Context, url string, w io.Writer) (int, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, Errorf(KindInvalidArgument, "invalid presigned URL: %v", err)
	}
	resp, err := c.http.GetClient().Do(req)
	if err != nil {
		return 0, 0, transferError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, 0, &Error{Kind: kindOfStatus(resp.StatusCode), HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the download URL answered HTTP %d", resp.StatusCode)}
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return resp.StatusCode, n, transferError(ctx, err)
	}
	return resp.StatusCode, n, nil
}

func transferError(ctx context.Context, err error) error {
	switch ctx.Err() {
	case context.Canceled:
		return &Error{Kind: KindCancelled, Message: "cancelled", Err: err}
	case context.DeadlineExceeded:
		return &Error{Kind: KindTimeout, Message: "the transfer ran out of time", Err: err}
	}
	return &Error{Kind: KindTransport, Message: err.Error(), Err: err}
}

func kindOfStatus(status int) Kind {
	switch {
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return KindUnauthorized
	case status == http.StatusTooManyRequests:
		return KindThrottled
	case status >= 500:
		return KindServer
	}
	return KindInvalidArgument
}
