from tests.e2e.helpers import MEDIATOR_ZHOU, ask1, press


async def test_smoke(world) -> None:
    uid = MEDIATOR_ZHOU.telegram_user_id
    m = await ask1(world, uid, "/case new")
    print(m.text, m.buttons)
    m = await press(world, uid, m, "东岭村")
    print(m.text, m.buttons)
    m = await press(world, uid, m, "邻里纠纷")
    m = await press(world, uid, m, "排查发现")
    print(m.text)
    m = await ask1(world, uid, "张三 13812345678\n李四")
    print(m.text, m.buttons)
    m = await press(world, uid, m, "✔️ 完成")
    print(m.text)
    m = await ask1(world, uid, "宅基地边界争议")
    m = await ask1(world, uid, "3人")
    m = await ask1(world, uid, "1.2万")
    print(m.text, m.buttons)
    m = await press(world, uid, m, m.buttons[0][0][0])
    print(m.text, m.buttons)
    m = await press(world, uid, m, m.buttons[0][0][0])
    print(m.text, m.buttons)
