package guard

import (
	"context"
	"log/slog"
	"net/http"
)

// LogDecisions returns a decision hook for WithDecisionHook that logs every
// Decision to l: allowed requests at slog.LevelDebug, requests the list
// refused at slog.LevelInfo, and requests refused because no address could
// be decided or no Set was loaded at slog.LevelWarn, since those usually
// mean a misconfigured proxy or list. Each record has the attributes client,
// allowed, rule (with allowed; see Rule.String), error (with an error),
// method and path. The hook costs next to nothing for levels
// that l does not log. A nil l means slog.Default().
func LogDecisions(l *slog.Logger) func(*http.Request, Decision) {
	return func(r *http.Request, d Decision) {
		lg := l
		if lg == nil {
			lg = slog.Default()
		}
		level, msg := slog.LevelDebug, "allowlist: allowed"
		switch {
		case d.Err != nil:
			level, msg = slog.LevelWarn, "allowlist: refused"
		case !d.Allowed:
			level, msg = slog.LevelInfo, "allowlist: refused"
		}
		ctx := r.Context()
		if !lg.Enabled(ctx, level) {
			return
		}
		logDecision(ctx, lg, level, msg, r, d)
	}
}

func logDecision(ctx context.Context, l *slog.Logger, level slog.Level, msg string, r *http.Request, d Decision) {
	attrs := make([]slog.Attr, 0, 6)
	if d.Client.IsValid() {
		attrs = append(attrs, slog.String("client", d.Client.String()))
	} else {
		attrs = append(attrs, slog.String("client", ""))
	}
	attrs = append(attrs, slog.Bool("allowed", d.Allowed))
	if d.Allowed {
		attrs = append(attrs, slog.String("rule", d.Rule.String()))
	}
	if d.Err != nil {
		attrs = append(attrs, slog.String("error", d.Err.Error()))
	}
	attrs = append(attrs, slog.String("method", r.Method))
	if r.URL != nil {
		attrs = append(attrs, slog.String("path", r.URL.Path))
	}
	l.LogAttrs(ctx, level, msg, attrs...)
}
