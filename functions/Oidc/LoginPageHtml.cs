namespace ServerlessMyKey.Functions.Oidc;

/// <summary>
/// The minimal login page: it shows who asks for what (the consent) and hands the request to the
/// card-holder's app (a browser cannot read a My Number Card by itself), or declines. It holds no
/// secret and no token; the web front end owns the real page.
/// </summary>
internal static class LoginPageHtml
{
    public const string Page = """
        <!doctype html>
        <html lang="ja">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>マイナンバーカードでログイン</title>
        </head>
        <body>
        <main>
        <h1>マイナンバーカードでログイン</h1>
        <p id="client">読み込み中…</p>
        <ul id="scopes"></ul>
        <p>スマートフォンのアプリでマイナンバーカードを読み取り、暗証番号を入力してください（リクエストID: <code id="request"></code>）。</p>
        <p>Read your My Number Card in the app and enter your PIN to sign in.</p>
        <button id="deny" type="button">ログインしない / Decline</button>
        <p id="error" role="alert"></p>
        </main>
        <script>
        (async () => {
          const id = new URLSearchParams(location.search).get("requestId") || "";
          document.getElementById("request").textContent = id;
          const base = location.pathname.replace(/\/oidc\/login$/, "/oidc/requests/") + encodeURIComponent(id);
          const scopeNames = { openid: "本人であることの確認（サービスごとに異なる識別子）", jpki_basic4: "氏名・住所・生年月日・性別（署名用電子証明書）" };
          const shown = await fetch(base);
          const body = await shown.json();
          if (!shown.ok) { document.getElementById("error").textContent = body.title || "エラー"; return; }
          document.getElementById("client").textContent = body.clientName + " が次の情報を求めています:";
          for (const s of body.scopes) { const li = document.createElement("li"); li.textContent = scopeNames[s] || s; document.getElementById("scopes").appendChild(li); }
          document.getElementById("deny").onclick = async () => {
            const answer = await (await fetch(base + "/denial", { method: "POST" })).json();
            if (answer.redirectTo) location.assign(answer.redirectTo);
          };
        })();
        </script>
        </body>
        </html>
        """;
}
