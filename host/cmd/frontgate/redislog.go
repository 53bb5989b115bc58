package main

import (
	"context"
	"fmt"
	"log/slog"
)

// redisLog takes go-redis's own messages (a pool that cannot dial, a
// connection dropped) into the sidecar's structured log as warnings.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}
