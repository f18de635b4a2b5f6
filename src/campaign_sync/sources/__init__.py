"""Alert sources: GitHub's API, snapshots of its JSON, SARIF files."""
