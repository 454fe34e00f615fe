from kinema.cli.main import app

app()
