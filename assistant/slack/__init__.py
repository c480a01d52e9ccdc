"""The Slack bot behind the Bolt wiring in `assistant.bot`.

One module per idea: `limits` (worker pools, rate limit, streaming throttle), `outbox` (Web API
calls with retries), `blocks` (Block Kit), `job` (one question on its way), `delivery`
(placeholder and reply), `feedback` (votes), `handler` (events into answers) and `http` (the
signed HTTP front)."""
