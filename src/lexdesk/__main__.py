from lexdesk.entrypoints.cli.main import run

run()
