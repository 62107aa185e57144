// wsvm serve's JavaScript handler (componentize-js, SpiderMonkey): the fetch-event API over
// wasi:http/incoming-handler. It answers one request per instance, so the server must give
// every request a fresh one.
addEventListener('fetch', (event) => event.respondWith((async () => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.pathname === '/echo') {
    const body = await req.text();
    return new Response(`${req.method} ${url.pathname}${url.search} ${req.headers.get('x-test') ?? '-'} ${body}`, {
      status: 200, headers: { 'content-type': 'text/plain', 'x-handler': 'js' } });
  }
  if (url.pathname === '/status') return new Response('teapot', { status: 418 });
  if (url.pathname === '/log') {  // the server logs these lines with the request
    console.log('a line on stdout');
    console.error('a line on stderr');
    return new Response('logged');
  }
  if (url.pathname === '/fetch') {  // outgoing HTTP (wasi:http/outgoing-handler)
    try {
      const post = req.method === 'POST';
      const r = await fetch(url.searchParams.get('url'), { method: post ? 'POST' : 'GET', body: post ? await req.text() : undefined });
      return new Response(`upstream ${r.status} ${r.headers.get('x-upstream') ?? '-'} ${await r.text()}`);
    } catch (e) {
      return new Response(`fetch failed: ${e}`, { status: 502 });
    }
  }
  return new Response('hello from componentize-js\n', { headers: { 'content-type': 'text/plain' } });
})()));
