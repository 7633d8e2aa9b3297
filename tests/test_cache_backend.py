"""The Redis cache shares one client per process, whatever the thread or request context."""

import threading

from config.cache import SharedPoolRedisCache


def test_cache_objects_of_one_setting_share_one_client():
    params = {"OPTIONS": {}}
    made = []

    def build():  # as Django does for each thread and each ASGI request
        made.append(SharedPoolRedisCache("redis://127.0.0.1:6399/3", params))

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    clients = {id(cache._cache) for cache in made}
    assert len(made) == 4 and len(clients) == 1
    other = SharedPoolRedisCache("redis://127.0.0.1:6399/4", params)
    assert other._cache is not made[0]._cache  # another server or database: its own client


def test_the_shared_client_really_works(redis_url):
    cache = SharedPoolRedisCache(redis_url, {"OPTIONS": {}, "KEY_PREFIX": "shared-pool-test"})
    cache.set("k", {"v": 1}, 30)
    again = SharedPoolRedisCache(redis_url, {"OPTIONS": {}, "KEY_PREFIX": "shared-pool-test"})
    assert again.get("k") == {"v": 1}
    assert again._cache is cache._cache
    cache.delete("k")
