# Read by gunicorn from the working directory (the quickstart, the image, the live tests).
# gunicorn would otherwise believe X-Forwarded-Proto from 127.0.0.1 and mark the request
# https before Django sees it; the app alone decides which proxy to trust
# (TRUST_PROXY_HEADERS / TRUSTED_PROXIES, backend/core/proxy.py).
forwarded_allow_ips = ""
secure_scheme_headers = {}
# gunicorn 27's control socket lives in $HOME, which the image's unprivileged user cannot
# write; nothing here uses it.
control_socket_disable = True
