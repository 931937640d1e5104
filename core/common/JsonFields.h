#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QLatin1StringView>
#include <QString>

#include <initializer_list>
#include <span>

namespace tl::json {

// The JSON type a configuration key must have. WholeNumber: a JSON number without a fraction (a
// count, seconds, bytes); Number: any JSON number; StringList: an array of strings.
enum class Type { Bool, Number, WholeNumber, String, StringList, Array, Object };

struct Field
{
    QLatin1StringView key;
    Type type;
};

// "a whole number", "a list of strings", ...: how error text names a type.
QString describe(Type type);

// Strictness for files the user writes (proxy --config, simulate --scenario): every key of `object`
// must be one of `fields`, and a key that is present must have its field's type (null is refused
// too: leave the key out for the default). `where` prefixes key names in the message ("cache" gives
// "cache.ttlSeconds"; "" for the top level). Errors: InvalidArgument naming the key and what was
// expected, e.g. `"cache.ttlSeconds" must be a whole number, got the string "2"` or `unknown key
// "cahce" (known: port, bind, ...)`. Keys are checked in the object's (sorted) order: the first
// wrong one is reported. Thread affinity: none (pure function).
Result<void> checkFields(const QJsonObject &object, std::initializer_list<Field> fields, QStringView where = {});
// The same for a list of fields built at run time (e.g. fixed keys plus a table's keys).
Result<void> checkFields(const QJsonObject &object, std::span<const Field> fields, QStringView where = {});

} // namespace tl::json
