"""How the bot talks to the Bot API: the aiohttp transport (:mod:`.http`), the retry rules
wrapped around it (:mod:`.retry`) and the lean send/edit calls for form questions (:mod:`.lean`)."""
