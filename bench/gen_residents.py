#!/usr/bin/env python3
"""Write a residents CSV for import benchmarks: N rows with valid GB 11643 ID numbers,
Chinese headers, spread over the buildings of a demo store, with BAD_PER_MILLE refused rows
of several kinds.  usage: gen_residents.py N UNIT_CODE_PREFIX BUILDINGS OUT.csv [BAD_PER_MILLE]"""
import random
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"
SUR = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIV = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def idnum(rng, seq):
    body = "420107%04d%02d%02d%03d" % (rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28), seq % 1000)
    return body + C[sum(int(a) * b for a, b in zip(body, W)) % 11]


def main():
    n, prefix, buildings, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    bad = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    rng = random.Random(42)
    seen = set()
    with open(out, "w", encoding="utf-8") as f:
        f.write("姓名,性别,出生日期,证件类型,证件号码,联系电话,单位编码,房号,与户主关系,标签\n")
        for i in range(n):
            while True:
                num = idnum(rng, i)
                if num not in seen:
                    seen.add(num)
                    break
            sex = "男" if int(num[16]) % 2 else "女"
            name = rng.choice(SUR) + rng.choice(GIV) + rng.choice(GIV)
            phone = "1%d%09d" % (rng.choice([3, 5, 8, 9]), rng.randint(0, 999999999))
            unit = "%s-B%02d-U1" % (prefix, rng.randint(1, buildings))
            # 99 floors x 99 doors per building: households of a few people, as in life
            room = str(rng.randint(1, 99) * 100 + rng.randint(1, 99)) + "X"
            flags = rng.choice(["", "", "", "chronic", "no_smartphone;elderly_alone", "disabled"])
            if rng.randint(0, 999) < bad:
                kind = rng.randint(0, 3)
                if kind == 0:
                    num = num[:17] + ("0" if num[17] != "0" else "1")
                elif kind == 1:
                    phone = "12345"
                elif kind == 2:
                    unit = "NO-SUCH-UNIT"
                else:
                    flags = "flying"
            f.write(f"{name},{sex},,身份证,{num},{phone},{unit},{room},户主,{flags}\n")


main()
