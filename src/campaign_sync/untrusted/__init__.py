"""Untrusted text (from alerts, repositories, people) made inert where it is shown: on a
terminal (``terminal.printable``) and in GitHub-flavoured markdown (``markdown``). Every
layer uses these; they import nothing of the tool."""
