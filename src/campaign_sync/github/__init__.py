"""The GitHub REST API client: auth, transport (retries, rate limits), listings, writes."""
