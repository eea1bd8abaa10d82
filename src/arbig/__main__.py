from arbig.cli.main import main

main()
