def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_clerk_sees_home(client_for, clerk_a):
    response = client_for(clerk_a).get("/")
    assert response.status_code == 200
    assert "镇街专干" in response.content.decode()
