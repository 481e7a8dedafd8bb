"""mkdocs-quiz's stand-in in `python -m bench --smoke`: an mkdocs hook that adds a style and a script to the quiz
page, as the plugin adds its assets."""


def on_post_page(html, page, config):
    if page.file.src_uri != "quiz.md":
        return html
    return html.replace("</body>", "<style>.quiz{}</style><script>window.quiz = {};</script></body>")
