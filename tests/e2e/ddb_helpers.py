"""Small helpers the boto3 e2e suites share."""

import uuid

import pytest
import requests
from botocore.exceptions import ClientError

AUTH = ("AWS4-HMAC-SHA256 Credential=tern/20261126/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    error = info.value.response["Error"]
    return error["Code"], error["Message"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def wait_active(dynamodb, name):
    dynamodb.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def raw(endpoint, target, body, content_type="application/x-amz-json-1.0"):
    return requests.post(endpoint + "/", data=body, timeout=10, headers={
        "X-Amz-Target": f"DynamoDB_20120810.{target}", "Content-Type": content_type,
        "Authorization": AUTH, "X-Amz-Date": "20261126T120000Z"})
