-- wrk script for B4: POST { me { id username } } with the bearer token in LFF_TOKEN.
wrk.method = "POST"
wrk.body = '{"query":"{ me { id username } }"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LFF_TOKEN")
