-- wrk script for the directory: POST a page of 20 schools with the bearer token in LFF_TOKEN.
wrk.method = "POST"
wrk.body = '{"query":"{ schools(first: 20) { edges { cursor node { id name city country { name } visitCard { motto(language: \\"en\\") } } } pageInfo { hasNextPage } } }"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LFF_TOKEN")
