"""The database cache with an increment that cannot lose a count.

Rate limits must hold across every gunicorn worker, so their counters live in shared storage:
Redis when REDIS_URL is set (INCR is atomic there), else this table in the main database, which
the embedded default has anyway. Django's DatabaseCache increments by reading the value and
writing it back, so two requests at the same moment can both read 4 and both write 5; this
subclass locks the row first.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now


class DatabaseCache(DjangoDatabaseCache):
    def clear(self):
        # Without Redis the rate-limit counters live beside the cache (lib.RateCounter); a
        # cleared cache has always meant fresh limits, so clear them with it.
        super().clear()
        from phongdich.lib import ratelimit

        ratelimit.reset()

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, cache_key, value_column = quote(self._table), quote("cache_key"), quote("value")
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # A write first: it takes the row lock on PostgreSQL and the write lock on SQLite
            # before anything is read, so the read below sees every earlier increment.
            cursor.execute(
                f"UPDATE {table} SET {cache_key} = {cache_key} WHERE {cache_key} = %s", [key]
            )
            cursor.execute(
                f"SELECT {value_column}, {quote('expires')} FROM {table} WHERE {cache_key} = %s",
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))
            value += delta
            pickled = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s WHERE {cache_key} = %s", [pickled, key]
            )
        return value

    @staticmethod
    def _expired(connection, expires) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return expires < now()
