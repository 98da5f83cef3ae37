"""The DynamoDB API over HTTP with boto3, against a real cluster: tables,
items, capacity arithmetic and DynamoDB's exact errors."""

import json
import time
import zlib

import pytest
import requests

from ddb_helpers import AUTH, error_of, raw, unique, wait_active


@pytest.fixture(scope="module")
def music(dynamodb):
    name = unique("Music")
    created = dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"},
                              {"AttributeName": "SongTitle", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"},
                   {"AttributeName": "SongTitle", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST")
    assert created["TableDescription"]["TableStatus"] == "CREATING"
    wait_active(dynamodb, name)
    return name


def test_describe_table_reports_the_full_description(dynamodb, music):
    table = dynamodb.describe_table(TableName=music)["Table"]
    assert table["TableName"] == music
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{music}"
    assert len(table["TableId"]) == 36
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert table["ItemCount"] >= 0 and table["TableSizeBytes"] >= 0
    assert [k["KeyType"] for k in table["KeySchema"]] == ["HASH", "RANGE"]


def test_list_tables_pages(dynamodb):
    names = sorted(unique("page") for _ in range(3))
    for name in names:
        dynamodb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    everything = dynamodb.list_tables()["TableNames"]
    assert all(name in everything for name in names)
    assert everything == sorted(everything)
    first = dynamodb.list_tables(ExclusiveStartTableName=names[0], Limit=1)
    assert first["TableNames"] == [names[1]]
    assert first["LastEvaluatedTableName"] == names[1]


def test_put_get_update_delete_round_trip_with_return_values(dynamodb, music):
    key = {"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}}
    item = dict(key, Year={"N": "2015"}, Tags={"SS": ["a", "b"]},
                Data={"B": b"\x00\x01"},
                Meta={"M": {"nested": {"L": [{"N": "1.50"}, {"NULL": True}, {"BOOL": False}]}}})
    put = dynamodb.put_item(TableName=music, Item=item, ReturnValues="ALL_OLD")
    assert "Attributes" not in put
    got = dynamodb.get_item(TableName=music, Key=key, ConsistentRead=True)["Item"]
    assert got["Year"] == {"N": "2015"}
    assert got["Meta"]["M"]["nested"]["L"][0] == {"N": "1.5"}  # canonical form
    assert got["Data"] == {"B": b"\x00\x01"}
    assert sorted(got["Tags"]["SS"]) == ["a", "b"]

    projected = dynamodb.get_item(TableName=music, Key=key, ProjectionExpression="#y, Tags",
                                  ExpressionAttributeNames={"#y": "Year"},
                                  ConsistentRead=True)["Item"]
    assert set(projected) == {"Year", "Tags"}
    nested = dynamodb.get_item(TableName=music, Key=key,
                               ProjectionExpression="Meta.nested[2], Meta.nested[0]",
                               ConsistentRead=True)["Item"]
    assert nested == {"Meta": {"M": {"nested": {"L": [{"N": "1.5"}, {"BOOL": False}]}}}}
    legacy = dynamodb.get_item(TableName=music, Key=key, AttributesToGet=["Year"],
                              ConsistentRead=True)["Item"]
    assert legacy == {"Year": {"N": "2015"}}

    updated = dynamodb.update_item(
        TableName=music, Key=key, ReturnValues="UPDATED_NEW",
        AttributeUpdates={"Year": {"Action": "ADD", "Value": {"N": "1"}},
                          "Tags": {"Action": "ADD", "Value": {"SS": ["c"]}}})
    assert updated["Attributes"]["Year"] == {"N": "2016"}
    assert sorted(updated["Attributes"]["Tags"]["SS"]) == ["a", "b", "c"]
    old = dynamodb.update_item(TableName=music, Key=key, UpdateExpression="SET Genre = :g REMOVE Meta",
                               ExpressionAttributeValues={":g": {"S": "Country"}},
                               ReturnValues="UPDATED_OLD")["Attributes"]
    assert set(old) == {"Meta"}  # Genre did not exist before
    after = dynamodb.get_item(TableName=music, Key=key, ConsistentRead=True)["Item"]
    assert after["Genre"] == {"S": "Country"} and "Meta" not in after

    deleted = dynamodb.delete_item(TableName=music, Key=key, ReturnValues="ALL_OLD")
    assert deleted["Attributes"]["Genre"] == {"S": "Country"}
    assert "Item" not in dynamodb.get_item(TableName=music, Key=key, ConsistentRead=True)


def test_update_expressions_of_the_full_language(dynamodb, music):
    key = {"Artist": {"S": "expr"}, "SongTitle": {"S": "song"}}
    dynamodb.update_item(TableName=music, Key=key, UpdateExpression="SET #s = :status",
                         ExpressionAttributeNames={"#s": "status"},
                         ExpressionAttributeValues={":status": {"S": "shipped"}})
    dynamodb.update_item(TableName=music, Key=key, UpdateExpression="SET info = :m",
                         ExpressionAttributeValues={":m": {"M": {}}})
    new = dynamodb.update_item(
        TableName=music, Key=key, ReturnValues="ALL_NEW",
        UpdateExpression="SET plays = if_not_exists(plays, :zero) + :one, "
                         "tags = list_append(if_not_exists(tags, :empty), :t), info.#y = :y "
                         "ADD fans :fans",
        ExpressionAttributeNames={"#y": "year"},
        ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"},
                                   ":empty": {"L": []}, ":t": {"L": [{"S": "x"}]},
                                   ":y": {"N": "2020"}, ":fans": {"SS": ["ann"]}})["Attributes"]
    assert new["status"] == {"S": "shipped"}
    assert new["plays"] == {"N": "1"}
    assert new["tags"] == {"L": [{"S": "x"}]}
    assert new["info"] == {"M": {"year": {"N": "2020"}}}
    assert new["fans"] == {"SS": ["ann"]}
    removed = dynamodb.update_item(TableName=music, Key=key, ReturnValues="UPDATED_OLD",
                                   UpdateExpression="REMOVE tags[0], info.#y",
                                   ExpressionAttributeNames={"#y": "year"})["Attributes"]
    assert removed == {"tags": {"L": [{"S": "x"}]}, "info": {"M": {"year": {"N": "2020"}}}}
    code, text, _ = error_of(dynamodb.update_item, TableName=music, Key=key,
                             UpdateExpression="SET status = :s",
                             ExpressionAttributeValues={":s": {"S": "x"}})
    assert code == "ValidationException"
    assert text == ("Invalid UpdateExpression: Attribute name is a reserved keyword; "
                    "reserved keyword: status")
    code, text, _ = error_of(dynamodb.update_item, TableName=music, Key=key,
                             UpdateExpression="SET a = :v SET b = :v",
                             ExpressionAttributeValues={":v": {"S": "x"}})
    assert code == "ValidationException" and text.startswith("Invalid UpdateExpression:")


def test_consumed_capacity_follows_dynamodb_arithmetic(dynamodb, music):
    key = {"Artist": {"S": "cap"}, "SongTitle": {"S": "big"}}
    # 5000 bytes of payload: 5 write units (1 KB each), 2 read units (4 KB each).
    item = dict(key, Payload={"S": "x" * 5000})
    put = dynamodb.put_item(TableName=music, Item=item, ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {"TableName": music, "CapacityUnits": 5.0}
    strong = dynamodb.get_item(TableName=music, Key=key, ConsistentRead=True,
                               ReturnConsumedCapacity="INDEXES")
    assert strong["ConsumedCapacity"] == {"TableName": music, "CapacityUnits": 2.0,
                                          "Table": {"CapacityUnits": 2.0}}
    eventual = dynamodb.get_item(TableName=music, Key=key, ReturnConsumedCapacity="TOTAL")
    assert eventual["ConsumedCapacity"]["CapacityUnits"] == 1.0
    missing = dynamodb.get_item(TableName=music, Key={"Artist": {"S": "none"},
                                                      "SongTitle": {"S": "none"}},
                                ReturnConsumedCapacity="TOTAL")
    assert missing["ConsumedCapacity"]["CapacityUnits"] == 0.5
    small = dynamodb.put_item(TableName=music, Item=key, ReturnConsumedCapacity="TOTAL")
    assert small["ConsumedCapacity"]["CapacityUnits"] == 5.0  # the larger of old and new


def test_item_validation_errors_are_exact_and_write_nothing(dynamodb, music):
    key = {"Artist": {"S": "v"}, "SongTitle": {"S": "v"}}
    cases = [
        ({"Artist": {"N": "1"}, "SongTitle": {"S": "x"}},
         "One or more parameter values were invalid: Type mismatch for key Artist expected: S "
         "actual: N"),
        ({"Artist": {"S": "x"}},
         "One or more parameter values were invalid: Missing the key SongTitle in the item"),
        (dict(key, Big={"S": "x" * (400 * 1024)}), "Item size has exceeded the maximum allowed size"),
        ({"Artist": {"S": "k" * 2049}, "SongTitle": {"S": "x"}},
         "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
         "size limit of2048 bytes"),
        (dict(key, Empty={"SS": []}),
         "One or more parameter values were invalid: An string set  may not be empty"),
        (dict(key, Null={"NULL": False}),
         "One or more parameter values were invalid: Null attribute value types must have the "
         "value of true"),
        (dict(key, Two={"S": "a", "BOOL": True}),
         "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
         "the supported datatypes"),
        (dict(key, Num={"N": "1e126"}),
         "Number overflow. Attempting to store a number with magnitude larger than supported "
         "range"),
    ]
    for item, message in cases:
        code, text, status = error_of(dynamodb.put_item, TableName=music, Item=item)
        assert (code, text, status) == ("ValidationException", message, 400), message
    assert "Item" not in dynamodb.get_item(TableName=music, Key=key, ConsistentRead=True)
    code, text, _ = error_of(dynamodb.get_item, TableName=music, Key={"Artist": {"S": "v"}})
    assert (code, text) == ("ValidationException",
                            "The provided key element does not match the schema")
    code, text, _ = error_of(dynamodb.put_item, TableName=music, Item=key, ReturnValues="ALL_NEW")
    assert (code, text) == ("ValidationException", "ReturnValues can only be ALL_OLD or NONE")
    code, text, _ = error_of(dynamodb.update_item, TableName=music, Key=key,
                             UpdateExpression="SET Artist = :a",
                             ExpressionAttributeValues={":a": {"S": "z"}})
    assert text == ("One or more parameter values were invalid: Cannot update attribute Artist. "
                    "This attribute is part of the key")
    code, text, _ = error_of(dynamodb.update_item, TableName=music, Key=key,
                             UpdateExpression="SET a = :a",
                             ExpressionAttributeValues={":a": {"S": "z"}, ":b": {"S": "y"}})
    assert text == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}"


def test_table_errors(dynamodb, music):
    code, text, _ = error_of(dynamodb.describe_table, TableName="NoSuchTable")
    assert (code, text) == ("ResourceNotFoundException",
                            "Requested resource not found: Table: NoSuchTable not found")
    code, text, _ = error_of(dynamodb.get_item, TableName="NoSuchTable", Key={"a": {"S": "b"}})
    assert (code, text) == ("ResourceNotFoundException", "Requested resource not found")
    code, text, _ = error_of(
        dynamodb.create_table, TableName=music, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    assert (code, text) == ("ResourceInUseException", f"Table already exists: {music}")



def test_request_validation_envelope(running_cluster):
    # boto3 validates table names itself, so this goes out as raw JSON.
    reply = raw(running_cluster.endpoint, "DescribeTable", json.dumps({"TableName": "ab"}))
    assert reply.status_code == 400
    assert reply.json() == {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
                   "constraint: Member must have length greater than or equal to 3"}


def test_malformed_requests_get_dynamodb_errors(running_cluster, music):
    bad_json = raw(running_cluster.endpoint, "GetItem", "{not json")
    assert bad_json.status_code == 400
    assert bad_json.json()["__type"] == "com.amazon.coral.service#SerializationException"
    number_as_json = raw(running_cluster.endpoint, "PutItem", json.dumps({
        "TableName": music, "Item": {"Artist": {"S": "a"}, "SongTitle": {"S": "b"},
                                     "N": {"N": 5}}}))
    assert number_as_json.json()["__type"] == "com.amazon.coral.service#SerializationException"
    unknown = raw(running_cluster.endpoint, "Frobnicate", "{}")
    assert unknown.json() == {"__type": "com.amazon.coral.service#UnknownOperationException"}
    wrong_type = raw(running_cluster.endpoint, "ListTables", "{}", content_type="text/plain")
    assert wrong_type.status_code == 404
    assert int(wrong_type.headers["x-amz-crc32"]) == zlib.crc32(wrong_type.content)
    too_big = requests.post(running_cluster.endpoint + "/", data=b"x" * (16 * 1024 * 1024 + 1),
                            timeout=30, headers={"X-Amz-Target": "DynamoDB_20120810.PutItem",
                                                 "Content-Type": "application/x-amz-json-1.0"})
    assert too_big.status_code == 413


def test_tags_and_ttl(dynamodb, music):
    arn = dynamodb.describe_table(TableName=music)["Table"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "db"},
                                                 {"Key": "env", "Value": "test"}])
    dynamodb.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert dynamodb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "db"}]
    assert dynamodb.describe_time_to_live(TableName=music)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    dynamodb.update_time_to_live(TableName=music, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    assert dynamodb.describe_time_to_live(TableName=music)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}


def test_delete_table_goes_away(dynamodb):
    name = unique("gone")
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    wait_active(dynamodb, name)
    dynamodb.put_item(TableName=name, Item={"id": {"N": "1"}})
    assert dynamodb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    dynamodb.get_waiter("table_not_exists").wait(
        TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    assert name not in dynamodb.list_tables()["TableNames"]
