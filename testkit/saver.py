"""A process that saves one item forever, to be killed.

``python -m testkit.saver ROOT MODE NOTE PERSON ADDR0 ADDR1``

Prints ``ready`` once set up, then the sequence number of every save once it returned.
``plain``: the note gets ``seq = a = b`` (``v<n>``). ``refs``: the person is renamed
``v<n>`` and moved to the other addr (a save writing three files).
"""

import sys

from backo import current_user
from testkit.scenarios import build_backoffice


def main(argv: list[str]) -> None:
    root, mode, note, person, *addrs = argv
    current_user.standalone = True
    bo = build_backoffice(root)
    item = bo.notes.get_by_id(note) if mode == "plain" else bo.people.get_by_id(person)
    seq = item.seq.get_value() if mode == "plain" else int(item.name.get_value()[1:])
    print("ready", flush=True)
    while True:
        seq += 1
        if mode == "plain":
            item.set({"seq": seq, "a": f"v{seq}", "b": f"v{seq}"})
        else:
            item.set({"name": f"v{seq}", "addr": addrs[seq % 2]})
        item.save()
        print(seq, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
